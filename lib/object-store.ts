// Lakes on S3-compatible object storage: their URIs, and DuckDB's way there (the httpfs extension and
// a temporary S3 secret). A lake at s3://<bucket>/<prefix> is a mirror of a local lake
// (lib/mirror.ts): the same layout, the same _catalog.json, the same Parquet bytes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from './duckdb.ts';
import type { Config } from './config.ts';
import { quoteLiteral } from './sql-quote.ts';
import { ConfigError, errorMessage } from './errors.ts';
import type { Catalog } from './lake.ts';

export function isRemoteLake(dataDir: string): boolean {
  return /^s3:\/\//i.test(dataDir);
}

export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing slash ('' for the bucket's root). */
  prefix: string;
}

export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(uri);
  if (!m || m[1] === '') throw new ConfigError(`${uri}: expected s3://<bucket>[/<prefix>]`);
  return { bucket: m[1], prefix: m[2].replace(/^\/+|\/+$/g, '') };
}

/** The key of a lake-relative path (`gold/x/v000003/part-….parquet`) under the lake's prefix. */
export function objectKey(loc: S3Location, rel: string): string {
  return loc.prefix ? `${loc.prefix}/${rel}` : rel;
}

/** Lake-relative path of a path inside a local data dir or a key inside a remote one, '/'-separated. */
export function joinLake(dataDir: string, ...parts: string[]): string {
  return isRemoteLake(dataDir) ? [dataDir.replace(/\/+$/, ''), ...parts].join('/') : join(dataDir, ...parts);
}

/** The object store settings a verb needs, or a ConfigError saying which variable is missing. */
export function requireCredentials(config: Config): void {
  const s = config.objectStore;
  if (!s.accessKeyId || !s.secretAccessKey) {
    throw new ConfigError('object storage needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and LAKEHOUSE_S3_ENDPOINT for an S3-compatible server other than AWS)');
  }
}

async function duckdbVersion(conn: DuckDBConnection): Promise<string> {
  const reader = await conn.runAndReadAll('select version()');
  return String(reader.getRowsJS()[0][0]);
}

/**
 * Loads httpfs into the connection: the copy under LAKEHOUSE_DUCKDB_EXTENSION_DIR
 * (<dir>/v1.5.5/httpfs.duckdb_extension, what scripts/duckdb-extensions.sh installs from PyPI's
 * duckdb-extension-httpfs for machines that cannot reach DuckDB's extension repository), else
 * DuckDB's own INSTALL/LOAD.
 */
export async function loadHttpfs(conn: DuckDBConnection, config: Config): Promise<void> {
  const version = await duckdbVersion(conn);
  const file = join(config.objectStore.extensionDir, version, 'httpfs.duckdb_extension');
  if (existsSync(file)) {
    await conn.run(`load ${quoteLiteral(file)}`);
    return;
  }
  try {
    await conn.run('install httpfs');
    await conn.run('load httpfs');
  } catch (err) {
    throw new ConfigError(`DuckDB's httpfs extension (${version}) is neither at ${file} nor installable (${errorMessage(err).split('\n')[0]}); run scripts/duckdb-extensions.sh, or set LAKEHOUSE_DUCKDB_EXTENSION_DIR`);
  }
}

/** The S3 secret of a connection: a temporary one (never written to disk), scoped to the lake's bucket. */
export function s3SecretSql(config: Config, scope: string): string {
  const s = config.objectStore;
  const opts = [`type s3`, `scope ${quoteLiteral(scope)}`, `region ${quoteLiteral(s.region)}`, `url_style ${quoteLiteral(s.urlStyle)}`];
  if (s.accessKeyId) opts.push(`key_id ${quoteLiteral(s.accessKeyId)}`);
  if (s.secretAccessKey) opts.push(`secret ${quoteLiteral(s.secretAccessKey)}`);
  if (s.sessionToken) opts.push(`session_token ${quoteLiteral(s.sessionToken)}`);
  if (s.endpoint) {
    const url = new URL(s.endpoint);
    opts.push(`endpoint ${quoteLiteral(url.host)}`, `use_ssl ${url.protocol === 'https:'}`);
  }
  return `create or replace temporary secret lakehouse_s3 (${opts.join(', ')})`;
}

/** Lets the connection read (and write) s3://<bucket>/… of the lake at `uri`. */
export async function enableS3(conn: DuckDBConnection, config: Config, uri: string): Promise<void> {
  requireCredentials(config);
  await loadHttpfs(conn, config);
  const { bucket } = parseS3Uri(uri);
  await conn.run(s3SecretSql(config, `s3://${bucket}`));
}

/** The catalog of a remote lake, read through the connection (httpfs); an empty lake has none. */
export async function readRemoteCatalogText(conn: DuckDBConnection, uri: string): Promise<string> {
  const file = `${uri.replace(/\/+$/, '')}/_catalog.json`;
  try {
    const reader = await conn.runAndReadAll(`select content from read_text(${quoteLiteral(file)})`);
    return String(reader.getRowsJS()[0][0]);
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the lake's catalog (${errorMessage(err).split('\n')[0]}); is it a lake mirrored by \`lakehouse mirror\`?`);
  }
}

/** The catalog of a lake mirrored to object storage (for verbs that read only the catalog, like `tables`). */
export async function readRemoteCatalog(config: Config): Promise<Catalog> {
  const { DuckDBInstance } = await import('./duckdb.ts');
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', allow_persistent_secrets: 'false' });
  const conn = await instance.connect();
  try {
    await enableS3(conn, config, config.dataDir);
    return JSON.parse(await readRemoteCatalogText(conn, config.dataDir)) as Catalog;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
