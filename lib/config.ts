// The one config object: environment (and a .env file) overlaid by CLI flags, validated once with
// zod. Only this module reads process.env.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type * as Dotenv from 'dotenv';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

const boolish = z
  .union([z.boolean(), z.string()])
  .transform((v, ctx) => {
    if (typeof v === 'boolean') return v;
    const s = v.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(s)) return true;
    if (['false', '0', 'no', 'off'].includes(s)) return false;
    ctx.addIssue({ code: 'custom', message: `expected true or false, got "${v}"` });
    return z.NEVER;
  });

export function isValidTimeZone(tz: string): boolean {
  // The default needs no check: the first Intl.DateTimeFormat loads the time zone data, about 12 ms of
  // CPU on every CLI call that keeps UTC.
  if (tz === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const timeZone = z.string().min(1).refine(isValidTimeZone, { message: 'not a valid IANA time zone' });
const optionalUrl = z.string().url().optional();

/** A duration: plain seconds ("90") or a number with a unit ("500ms", "30s", "15m", "2h", "1d"), as milliseconds. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!m) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's').toLowerCase() as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(m[1]) * unit);
}

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as 90s, 15m or 2h, got "${v}"` });
    return z.NEVER;
  }
  return ms;
});

const s3Uri = z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'expected s3://<bucket>[/<prefix>]');

/**
 * The data dir as the verbs take it: a path or a file:// URI (resolved to an absolute path), or an
 * s3:// URI (kept: a lake mirrored to S3-compatible storage, which the reading verbs read).
 */
export function resolveDataDir(value: string, cwd: string): string {
  if (/^s3:\/\//i.test(value)) return value.replace(/\/+$/, '');
  if (/^file:\/\//i.test(value)) return fileURLToPath(value);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) throw new ConfigError(`${value}: unsupported lake URI scheme (a path, file:// or s3://)`);
  return resolve(cwd, value);
}

const schema = z.object({
  dataDir: z.string().min(1),
  timezone: timeZone,
  allowSynthetic: boolish,
  duckdbMemoryLimit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'expected e.g. 4GB').optional(),
  duckdbThreads: z.coerce.number().int().min(1).max(256).optional(),
  retainVersions: z.coerce.number().int().min(1).max(100),
  /** Most catalog tracks a track-level model trains on (seeded stratified sample); unset = the whole catalog. */
  trainCap: z.coerce.number().int().min(100).optional(),
  /** Where trained model artifacts are kept (default <dataDir>/models); several lakes may share one. */
  modelsDir: z.string().min(1),
  /** Where the catalog forests score the plays' feature vectors: `js` (the library, default) or `sql` (the engine, from their node tables). */
  forestScoring: z.enum(['js', 'sql']),
  /** Who computes silver and the SQL gold tables: the embedded DuckDB (default) or the Trino at TRINO_URL (lib/trino/engine.ts). */
  engine: z.enum(['duckdb', 'trino']),
  /** Shortest play (ms) the gold feature statistics and models count as a stream; 0 counts every play. */
  minPlayMs: z.coerce.number().int().min(0).max(86_400_000),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
  spotify: z.object({
    clientId: z.string().optional(),
    clientSecret: z.string().optional(),
    redirectUri: z.string().url(),
    apiBaseUrl: z.string().url(),
    accountsBaseUrl: z.string().url(),
    tokenDir: z.string().optional(),
  }),
  lastfm: z.object({ apiKey: z.string().optional(), apiBaseUrl: z.string().url() }),
  /** password: TRINO_PASSWORD (never logged); caFile: TRINO_CA_FILE, the PEM certificate an https TRINO_URL is trusted by. */
  trino: z.object({ url: optionalUrl, user: z.string().min(1), password: z.string().optional(), caFile: z.string().optional() }),
  superset: z.object({
    url: optionalUrl,
    secretKey: z.string().optional(),
    adminUser: z.string().optional(),
    adminPassword: z.string().optional(),
  }),
  schedule: z.object({ cron: z.string().min(1), timezone: timeZone }),
  ops: z.object({
    /** Overall time limit of one pipeline run (ms). */
    runTimeoutMs: duration,
    /** How long a shutdown waits for the current stage before aborting it (ms). */
    shutdownGraceMs: duration,
    /** `lakehouse status` calls the data stale this long after the last successful run; unset = from the schedule. */
    staleAfterMs: duration.optional(),
    /** The writer lock's lease (ms): a holder without a heartbeat for this long is taken over (lib/lock.ts). */
    lockLeaseMs: duration.refine((ms) => ms >= 1000, { message: 'the lock lease must be at least 1s' }),
  }),
  /**
   * S3-compatible object storage (lib/object-store.ts): the mirror that `lakehouse mirror` keeps equal
   * to the lake's served versions, and the credentials DuckDB and the mirror use to reach it. The
   * secret key is never logged.
   */
  objectStore: z.object({
    mirrorUri: s3Uri.optional(),
    /** http(s)://host:port of an S3-compatible server; unset: AWS S3. */
    endpoint: optionalUrl,
    region: z.string().min(1),
    urlStyle: z.enum(['path', 'vhost']),
    accessKeyId: z.string().optional(),
    secretAccessKey: z.string().optional(),
    sessionToken: z.string().optional(),
    /** Where DuckDB extensions are kept for offline loading (<dir>/v<duckdb version>/httpfs.duckdb_extension). */
    extensionDir: z.string().min(1),
  }),
  alerts: z.object({
    /** The alert rules (ops/alert-rules.ts); default <dataDir>/alerts.yaml. A missing file means no alerts. */
    rulesFile: z.string().min(1),
    /** ALERT_* variables, which rules name for webhook URLs and other secrets (never logged). */
    secrets: z.record(z.string(), z.string()),
  }),
});

export type Config = z.infer<typeof schema>;

/** Flags a CLI verb may pass; they win over the environment. */
export interface ConfigOverrides {
  dataDir?: string;
  timezone?: string;
  allowSynthetic?: boolean;
  /** --engine of run and build. */
  engine?: string;
}

type Env = Record<string, string | undefined>;

function readDotenv(cwd: string): Env {
  const file = resolve(cwd, '.env');
  // Loaded only when there is a file to read (most calls have none).
  if (!existsSync(file)) return {};
  const { parse } = createRequire(import.meta.url)('dotenv') as typeof Dotenv;
  return parse(readFileSync(file));
}

function blankToUndefined(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

export function loadConfig(overrides: ConfigOverrides = {}, env: Env = process.env, cwd = process.cwd()): Config {
  const e: Env = { ...readDotenv(cwd), ...env };
  const get = (k: string) => blankToUndefined(e[k]);
  const dataDir = resolveDataDir(overrides.dataDir ?? get('LAKEHOUSE_DATA_DIR') ?? 'data', cwd);
  // A lake read from object storage has no local folder for models and alert rules.
  const localDir = /^s3:\/\//.test(dataDir) ? resolve(cwd, 'data') : dataDir;
  const raw = {
    dataDir,
    timezone: overrides.timezone ?? get('LAKEHOUSE_TIMEZONE') ?? 'UTC',
    allowSynthetic: overrides.allowSynthetic ?? get('ALLOW_SYNTHETIC') ?? true,
    duckdbMemoryLimit: get('DUCKDB_MEMORY_LIMIT'),
    duckdbThreads: get('DUCKDB_THREADS'),
    retainVersions: get('LAKEHOUSE_RETAIN_VERSIONS') ?? 5,
    trainCap: get('LAKEHOUSE_TRAIN_CAP'),
    modelsDir: get('LAKEHOUSE_MODELS_DIR') !== undefined ? resolve(cwd, get('LAKEHOUSE_MODELS_DIR')!) : join(localDir, 'models'),
    minPlayMs: get('LAKEHOUSE_MIN_PLAY_MS') ?? 30_000,
    forestScoring: get('LAKEHOUSE_FOREST_SCORING') ?? 'js',
    engine: overrides.engine ?? get('LAKEHOUSE_ENGINE') ?? 'duckdb',
    logLevel: get('LOG_LEVEL') ?? 'info',
    spotify: {
      clientId: get('SPOTIFY_CLIENT_ID'),
      clientSecret: get('SPOTIFY_CLIENT_SECRET'),
      redirectUri: get('SPOTIFY_REDIRECT_URI') ?? 'http://127.0.0.1:8888/callback',
      apiBaseUrl: get('SPOTIFY_API_BASE_URL') ?? 'https://api.spotify.com/v1',
      accountsBaseUrl: get('SPOTIFY_ACCOUNTS_BASE_URL') ?? 'https://accounts.spotify.com',
      tokenDir: get('SPOTIFY_TOKEN_DIR'),
    },
    lastfm: { apiKey: get('LASTFM_API_KEY'), apiBaseUrl: get('LASTFM_API_BASE_URL') ?? 'https://ws.audioscrobbler.com/2.0/' },
    trino: {
      url: get('TRINO_URL'), user: get('TRINO_USER') ?? 'lakehouse', password: e.TRINO_PASSWORD || undefined,
      caFile: get('TRINO_CA_FILE') !== undefined ? resolve(cwd, get('TRINO_CA_FILE')!) : undefined,
    },
    superset: {
      url: get('SUPERSET_URL'),
      secretKey: get('SUPERSET_SECRET_KEY'),
      adminUser: get('SUPERSET_ADMIN_USER'),
      adminPassword: get('SUPERSET_ADMIN_PASSWORD'),
    },
    schedule: {
      cron: get('SCHEDULE_CRON') ?? '0 */6 * * *',
      timezone: get('SCHEDULE_TIMEZONE') ?? get('LAKEHOUSE_TIMEZONE') ?? 'UTC',
    },
    ops: {
      runTimeoutMs: get('LAKEHOUSE_RUN_TIMEOUT') ?? '2h',
      shutdownGraceMs: get('LAKEHOUSE_SHUTDOWN_GRACE') ?? '20s',
      staleAfterMs: get('LAKEHOUSE_STALE_AFTER'),
      lockLeaseMs: get('LAKEHOUSE_LOCK_LEASE') ?? '60s',
    },
    objectStore: {
      mirrorUri: get('LAKEHOUSE_MIRROR_URI')?.replace(/\/+$/, ''),
      endpoint: get('LAKEHOUSE_S3_ENDPOINT'),
      region: get('LAKEHOUSE_S3_REGION') ?? get('AWS_REGION') ?? 'us-east-1',
      urlStyle: get('LAKEHOUSE_S3_URL_STYLE') ?? (get('LAKEHOUSE_S3_ENDPOINT') ? 'path' : 'vhost'),
      accessKeyId: get('AWS_ACCESS_KEY_ID'),
      secretAccessKey: e.AWS_SECRET_ACCESS_KEY || undefined,
      sessionToken: e.AWS_SESSION_TOKEN || undefined,
      extensionDir: resolve(cwd, get('LAKEHOUSE_DUCKDB_EXTENSION_DIR') ?? join(homedir(), '.cache', 'lakehouse', 'duckdb-extensions')),
    },
    alerts: {
      rulesFile: resolve(cwd, get('LAKEHOUSE_ALERTS_FILE') ?? join(localDir, 'alerts.yaml')),
      secrets: Object.fromEntries(Object.keys(e).filter((k) => k.startsWith('ALERT_') && get(k) !== undefined).map((k) => [k, get(k)!])),
    },
  };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${issues.join('; ')}`);
  }
  return parsed.data;
}
