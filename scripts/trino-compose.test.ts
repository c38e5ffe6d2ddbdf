// docker-compose.yml and the Dockerfile cannot be run here (no Docker engine, and no compose v2
// client to `config` them), so their structure is checked: services, pinned images, loopback-only
// ports, healthchecks, volumes, no literal secrets, and the same commands as the native scripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../test/helpers.ts';
import { loadConfig, parseDuration } from '../lib/config.ts';
import { FORCE_EXIT_AFTER_GRACE_MS } from '../cli/commands/schedule.ts';

interface Service {
  image?: string;
  build?: { context: string; target: string };
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
  container_name?: string;
  deploy?: { replicas?: number | string };
}

const read = (p: string) => readFileSync(join(repoRoot, p), 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true }) as { name: string; services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
const trinoVersion = read('trino/VERSION').trim();
const dockerfile = read('Dockerfile');

test('the stack has its services, the one-shot pipeline behind a profile', () => {
  for (const name of ['scheduler', 'pipeline', 'trino', 'superset', 'postgres', 'redis']) assert.ok(services[name], `service ${name}`);
  assert.deepEqual(services.pipeline.profiles, ['cli']);
  assert.equal(services.scheduler.profiles, undefined, 'the scheduler starts with `docker compose up`');
});

test('images are pinned: Trino to trino/VERSION, our images built from the Dockerfile', () => {
  assert.match(trinoVersion, /^\d+$/);
  assert.equal(services.trino.image, `trinodb/trino:${trinoVersion}`);
  for (const s of Object.values(services)) {
    assert.ok(s.image, 'every service names its image');
    assert.doesNotMatch(s.image ?? '', /:latest$|^[^:]+$/, `${s.image} has a tag other than latest`);
  }
  assert.equal(services.scheduler.build?.target, 'pipeline');
  assert.equal(services.superset.build?.target, 'superset');
  assert.match(dockerfile, /^FROM node:20[\w.-]*slim[\w.-]* AS pipeline$/m);
  assert.match(dockerfile, /FROM node:20[\w.-]*slim[\w.-]* AS pipeline[\s\S]*^USER node$/m, 'the pipeline image runs as a non-root user');
  assert.match(dockerfile, /npm prune --omit=dev/);
  const last = [...dockerfile.matchAll(/^FROM .* AS (\w+)$/gm)].at(-1)?.[1];
  assert.equal(last, 'pipeline', 'a plain `docker build .` builds the pipeline image');
});

test('published ports are bound to 127.0.0.1 and every long-running service has a healthcheck', () => {
  for (const [name, s] of Object.entries(services)) {
    for (const p of s.ports ?? []) assert.match(p, /^127\.0\.0\.1:/, `${name} publishes ${p}`);
    if (!['pipeline', 'lake-init', 'trino-init'].includes(name)) assert.ok(s.healthcheck?.test?.length, `${name} has a healthcheck`);
  }
  assert.deepEqual(services.postgres.ports, undefined);
  assert.deepEqual(services.redis.ports, undefined);
});

test('state lives in named volumes, the lake shared by the pipeline and Trino', () => {
  for (const [name, s] of Object.entries(services)) {
    for (const v of s.volumes ?? []) {
      const source = v.split(':')[0];
      if (source.startsWith('./')) assert.match(v, /:ro$/, `${name}: bind mounts are read-only config (${v})`);
      else assert.ok(source in compose.volumes, `${name}: ${source} is a declared named volume`);
    }
  }
  assert.ok(services.scheduler.volumes?.includes('lake:/data'));
  assert.ok(services.trino.volumes?.some((v) => v.startsWith('lake:')));
  assert.ok(services.trino.volumes?.includes('./trino/etc:/etc/trino:ro'), 'Trino uses the repo config, like the native script');
});

test('no literal secrets: secrets come from .env and are required', () => {
  const text = read('docker-compose.yml');
  for (const [name, s] of Object.entries(services)) {
    for (const [k, v] of Object.entries(s.environment ?? {})) {
      if (/SECRET|PASSWORD/.test(k)) assert.match(String(v), /^\$\{[A-Z_]+:\?[^}]+\}$/, `${name}.${k} must be \${VAR:?message}`);
    }
  }
  assert.match(services.superset.environment?.SQLALCHEMY_DATABASE_URI ?? '', /\$\{SUPERSET_DB_PASSWORD:\?/);
  assert.doesNotMatch(text, /password\s*[:=]\s*['"]?(admin|superset|secret|changeme)\b/i);
});

test('the services run what the native scripts run', () => {
  const start = read('scripts/trino-start.sh');
  const command = (services.trino.command as string[]).join(' ');
  assert.match(command, /exec \/usr\/lib\/trino\/bin\/launcher run --etc-dir \/etc\/trino /);
  assert.match(start, /\/bin\/launcher" run "\$@"/);
  assert.match(start, /launch "\$LOG_FILE" --etc-dir "\$ROOT\/trino\/etc" /);
  // Both hand Trino the generated shared secret through its environment, from the security dir.
  assert.match(command, /TRINO_SHARED_SECRET="\$\$\(cat \/etc\/trino-security\/shared-secret\)"/);
  assert.match(start, /TRINO_SHARED_SECRET="\$\(cat "\$TRINO_SECURITY_DIR\/shared-secret"\)"/);
  for (const v of ['LAKEHOUSE_DATA_DIR', 'TRINO_PORT', 'TRINO_BIND_IP', 'TRINO_NODE_ID', 'TRINO_SECURITY_DIR']) {
    assert.ok(services.trino.environment?.[v], `compose sets ${v} for trino/etc`);
    assert.match(start, new RegExp(`export ${v}=`), `the native script sets ${v}`);
  }
  assert.match(dockerfile, /^CMD \["schedule"\]$/m);
  assert.deepEqual(services.scheduler.command, ['schedule']);
  const supersetCmd = (services.superset.command as string[]).join(' ');
  assert.match(supersetCmd, /scripts\/superset-bootstrap\.sh/);
  const nativeGunicorn = /gunicorn" --bind "[^"]+" \\\s*--workers "\$\{SUPERSET_WORKERS:-(\d+)\}" ([^\n]*) \\\s*([^\n]*) \\\s*("superset\.app:create_app\(\)")/.exec(read('scripts/superset-start.sh'));
  assert.ok(nativeGunicorn, 'scripts/superset-start.sh starts gunicorn');
  const [, workers, flags1, flags2, app] = nativeGunicorn;
  assert.ok(supersetCmd.includes(`--workers ${workers} ${flags1} ${flags2} ${app}`.replace(/\s+/g, ' ')), 'same gunicorn flags as natively');
  assert.match(dockerfile, /bash scripts\/superset-install\.sh/);
});

test("Trino's secrets: generated by trino-init into a volume only Trino mounts (read-only); clients get the certificate alone", () => {
  const init = services['trino-init'];
  assert.deepEqual([...(init.entrypoint ?? []), ...((init.command as string[]) ?? [])], ['bash', 'scripts/trino-user.sh', 'init']);
  assert.equal(init.environment?.TRINO_SECURITY_DIR, '/security');
  assert.match(init.environment?.TRINO_TLS_HOSTNAMES ?? '', /\btrino\b/, 'the certificate names the compose service');
  assert.deepEqual(services.trino.depends_on?.['trino-init'], { condition: 'service_completed_successfully' });
  assert.equal(services.trino.environment?.TRINO_SECURITY_DIR, '/etc/trino-security');
  for (const [name, s] of Object.entries(services)) {
    const mounts = (s.volumes ?? []).filter((v) => v.startsWith('trino-security:'));
    if (name === 'trino' || name === 'trino-worker') assert.deepEqual(mounts, ['trino-security:/etc/trino-security:ro'], name);
    else if (name !== 'trino-init' && name !== 'lake-init') assert.deepEqual(mounts, [], `${name} must not see Trino's secrets`);
  }
  for (const name of ['scheduler', 'pipeline', 'superset']) {
    const env = services[name].environment ?? {};
    assert.match(env.TRINO_URL ?? '', /^https:\/\/trino:8080$/, `${name} talks https`);
    assert.equal(env.TRINO_CA_FILE, '/etc/trino-ca/ca.pem');
    assert.ok(services[name].volumes?.includes('trino-ca:/etc/trino-ca:ro'), `${name} mounts the certificate`);
  }
  assert.equal(services.scheduler.environment?.TRINO_USER, 'lakehouse');
  assert.equal(services.superset.environment?.TRINO_USER, 'superset', 'Superset reads as the read-only service user');
  assert.match(read('trino/etc/config.properties'), /^http-server\.http\.enabled=false$/m);
  assert.match(read('trino/etc/config.properties'), /^http-server\.authentication\.allow-insecure-over-http=false$/m);
  assert.match(dockerfile, /apt-get install[^\n]*\bopenssl\b/, 'the pipeline image can generate the certificate');
});

test('Superset in compose loads our superset_config.py (secret-key checks, PostgreSQL, Redis) like the native scripts', () => {
  const env = compose.services.superset.environment as Record<string, string>;
  assert.equal(env.SUPERSET_CONFIG_PATH, '/app/superset/superset_config.py');
  assert.match(read('scripts/superset-common.sh'), /SUPERSET_CONFIG_PATH="\$REPO_ROOT\/superset\/superset_config\.py"/);
  assert.match(read('Dockerfile'), /SUPERSET_CONFIG_PATH=\/app\/superset\/superset_config\.py/);
});

test('gunicorn keeps its request limits on wherever Superset is started (0 would mean unlimited)', () => {
  const sources = {
    'docker-compose.yml superset command': (services.superset.command as string[]).join(' '),
    'scripts/superset-start.sh': read('scripts/superset-start.sh'),
    Dockerfile: dockerfile,
  };
  let seen = 0;
  for (const [where, text] of Object.entries(sources)) {
    for (const [, flag, value] of text.matchAll(/--limit-request[-_]([\w-]+)[ =]+(\S+)/g)) {
      seen++;
      assert.match(value, /^[1-9]\d*$/, `${where}: --limit-request-${flag} ${value} must be a positive number`);
      if (/^line$/.test(flag)) assert.ok(Number(value) >= 4094 && Number(value) <= 8190, `${where}: request line limit ${value} (gunicorn: 4094 default, 8190 max)`);
      if (/^field[-_]size$/.test(flag)) assert.ok(Number(value) >= 8190, `${where}: header field limit ${value} below gunicorn's default`);
    }
    for (const [, key, value] of text.matchAll(/\b(limit_request_\w+)\s*=\s*(\S+)/g)) {
      seen++;
      assert.notEqual(Number(value), 0, `${where}: ${key} = 0 turns the limit off`);
    }
  }
  assert.ok(seen >= 4, 'the compose command and the native script both state the request-line and field-size limits');
});

test('the scheduler and CLI containers get a stop grace period longer than the shutdown grace plus the forced-exit delay', () => {
  const envExample = read('.env.example');
  const configured = /^LAKEHOUSE_SHUTDOWN_GRACE=(\S+)/m.exec(envExample)?.[1];
  const graceMs = loadConfig({ dataDir: '/tmp/unused' }, configured ? { LAKEHOUSE_SHUTDOWN_GRACE: configured } : {}, join(repoRoot, 'scripts')).ops.shutdownGraceMs;
  for (const name of ['scheduler', 'pipeline']) {
    const stop = services[name].stop_grace_period;
    assert.ok(stop, `${name} sets stop_grace_period (compose's default of 10 s would SIGKILL a stopping run)`);
    const stopMs = parseDuration(stop);
    assert.ok(stopMs !== null && stopMs > graceMs + FORCE_EXIT_AFTER_GRACE_MS, `${name}: stop_grace_period ${stop} must exceed ${graceMs} ms + ${FORCE_EXIT_AFTER_GRACE_MS} ms`);
  }
});

/** The ${ENV:NAME} variables a Trino config file reads. */
function envVars(path: string): string[] {
  const settings = read(path).split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n');
  return [...new Set([...settings.matchAll(/\$\{ENV:([A-Z_]+)\}/g)].map((m) => m[1]))].sort();
}
const SHARED_FILES = ['trino/etc/node.properties', 'trino/etc/catalog/lakehouse.properties', 'trino/etc/access-control.properties', 'trino/etc/password-authenticator.properties'];

test('a scalable trino-worker service: same image and config files as the coordinator, no fixed name or port, 0 replicas unless asked', () => {
  const worker = services['trino-worker'];
  assert.ok(worker, 'service trino-worker');
  assert.equal(worker.image, services.trino.image, 'the same Trino image and version');
  assert.equal(worker.container_name, undefined, 'no fixed container name (it would forbid --scale)');
  assert.equal(services.trino.container_name, undefined);
  assert.deepEqual(worker.ports ?? [], [], 'workers publish no port (a fixed host port would forbid --scale)');
  assert.equal(worker.deploy?.replicas, '${TRINO_WORKERS:-0}', 'no workers unless TRINO_WORKERS or --scale asks for them');
  assert.ok(worker.volumes?.includes('./trino/etc:/etc/trino:ro'), 'the repo config, like the coordinator');
  assert.ok(worker.volumes?.some((v) => v.startsWith('lake:')), 'workers read and write the same lake');
  assert.deepEqual(worker.depends_on?.trino, { condition: 'service_healthy' });

  const command = (worker.command as string[]).join(' ');
  assert.match(command, /exec \/usr\/lib\/trino\/bin\/launcher run --etc-dir \/etc\/trino --config \/etc\/trino\/worker\/config\.properties --jvm-config \/etc\/trino\/worker\/jvm\.config /);
  const start = read('scripts/trino-start.sh');
  assert.match(start, /--config "\$ROOT\/trino\/etc\/worker\/config\.properties"[\s\\]*--jvm-config "\$ROOT\/trino\/etc\/worker\/jvm\.config"/, 'the native script launches workers with the same files');
  assert.match(command, /TRINO_SHARED_SECRET="\$\$\(cat \/etc\/trino-security\/shared-secret\)"/);
  assert.equal(worker.environment?.TRINO_DISCOVERY_URI, `https://trino:${services.trino.environment?.TRINO_PORT}`, 'workers find the coordinator by its service name');
});

test('every ${ENV:...} the Trino config files read is set, for the coordinator and for the workers, in compose and natively', () => {
  const coordinatorVars = [...new Set([...envVars('trino/etc/config.properties'), ...SHARED_FILES.flatMap(envVars)])].sort();
  const workerVars = [...new Set([...envVars('trino/etc/worker/config.properties'), ...SHARED_FILES.flatMap(envVars)])].sort();
  for (const [name, vars] of [['trino', coordinatorVars], ['trino-worker', workerVars]] as const) {
    const s = services[name];
    const command = (s.command as string[]).join(' ');
    for (const v of vars) {
      assert.ok(s.environment?.[v] !== undefined || new RegExp(`\\b${v}=`).test(command), `compose ${name} sets ${v}`);
    }
  }
  const start = read('scripts/trino-start.sh');
  for (const v of [...coordinatorVars, ...workerVars]) {
    assert.ok(new RegExp(`(export ${v}=|\\b${v}="[^"]*"[^\\n]*(\\\\\\n[^\\n]*)?\\b(launch|setsid)\\b)`).test(start) || (v === 'TRINO_SHARED_SECRET' && /TRINO_SHARED_SECRET="\$\(cat/.test(start)), `the native script sets ${v}`);
  }
  assert.match(start, /TRINO_NODE_ID="lakehouse-\$TRINO_PORT-worker-\$i" TRINO_PORT="\$port" TRINO_DISCOVERY_URI="\$URL"/, 'each native worker: own node id and port, the coordinator as discovery URI');
});

test('the coordinator leaves the work to the workers when asked; node names the certificate covers', () => {
  assert.match(read('trino/etc/config.properties'), /^node-scheduler\.include-coordinator=\$\{ENV:TRINO_INCLUDE_COORDINATOR\}$/m);
  assert.equal(services.trino.environment?.TRINO_INCLUDE_COORDINATOR, '${TRINO_INCLUDE_COORDINATOR:-true}', 'single node by default');
  assert.match(read('scripts/trino-start.sh'), /if \[ "\$WORKERS" -gt 0 \]; then export TRINO_INCLUDE_COORDINATOR=false; else export TRINO_INCLUDE_COORDINATOR=true; fi/);
  assert.match(read('trino/etc/worker/config.properties'), /^coordinator=false$/m);
  assert.match(read('trino/etc/node.properties'), /^node\.internal-address=\$\{ENV:TRINO_INTERNAL_ADDRESS\}$/m);
  assert.equal(services.trino.environment?.TRINO_INTERNAL_ADDRESS, 'trino');
  // Compose names replicas <project>-<service>-<n>; the worker announces that name, which must be in the certificate.
  assert.equal(compose.name, 'lakehouse');
  const names = (services['trino-init'].environment?.TRINO_TLS_HOSTNAMES ?? '').split(/[\s,]+/);
  for (let i = 1; i <= 8; i++) assert.ok(names.includes(`lakehouse-trino-worker-${i}`), `the certificate names worker ${i}`);
  assert.match((services['trino-worker'].command as string[]).join(' '), /TRINO_NODE_ID="\$\$name" TRINO_INTERNAL_ADDRESS="\$\$name"/);
  assert.match(read('.env.example'), /^TRINO_INCLUDE_COORDINATOR=/m);
  assert.match(read('.env.example'), /^TRINO_WORKERS=/m);
});
