# Images of the lakehouse stack (see trino/README.md, "docker compose").
#
#   pipeline (default target): the `lakehouse` CLI on Node 20; its default command is the 6-hourly
#     scheduler (`lakehouse schedule`). Production dependencies only, runs as the non-root user
#     `node` (uid 1000, the same uid as the trino image's user, so both can write the shared data
#     volume), data under the volume /data.
#   superset: the pinned Superset of superset/requirements.txt + constraints.txt, installed by the
#     same scripts/superset-install.sh the native setup runs.

# --- dependencies: npm ci applies patches/ (patch-package, a dev tool), then dev packages are pruned
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
# npm ci runs the `prepare` script; without the sources it only notes that there is nothing to compile.
COPY scripts/build-dist.mjs ./scripts/
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund && npm cache clean --force

# --- superset ---
FROM python:3.11-slim-bookworm AS superset
RUN useradd --create-home --uid 1000 superset
WORKDIR /app
ENV LAKEHOUSE_CACHE_DIR=/opt/lakehouse \
    SUPERSET_HOME=/var/lib/superset \
    SUPERSET_CONFIG_PATH=/app/superset/superset_config.py \
    PATH=/opt/lakehouse/superset-venv/bin:$PATH
COPY superset ./superset
COPY scripts/superset-common.sh scripts/superset-install.sh scripts/superset-bootstrap.sh scripts/superset-user.sh ./scripts/
# The compose deployment keeps Superset's metadata in PostgreSQL (psycopg2) and its cache in Redis
# (redis is already pinned in constraints.txt).
RUN bash scripts/superset-install.sh \
 && /opt/lakehouse/superset-venv/bin/pip install --no-cache-dir --disable-pip-version-check psycopg2-binary==2.9.13 \
 && mkdir -p /var/lib/superset && chown superset:superset /var/lib/superset
USER superset
EXPOSE 8088

# --- pipeline (default) ---
FROM node:20-bookworm-slim AS pipeline
ENV NODE_ENV=production \
    TZ=UTC \
    LAKEHOUSE_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# The compiled CLI (dist/, see scripts/build-dist.mjs): the deps stage's `npm ci` ran its `prepare`
# before the sources were there. esbuild stays after the prune: tsx, a runtime dependency, needs it.
# openssl: scripts/trino-user.sh init (compose's trino-init) generates Trino's self-signed certificate.
RUN apt-get update && apt-get install -y --no-install-recommends openssl && rm -rf /var/lib/apt/lists/* \
 && node scripts/build-dist.mjs && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
ENTRYPOINT ["node", "bin/lakehouse.js"]
CMD ["schedule"]
