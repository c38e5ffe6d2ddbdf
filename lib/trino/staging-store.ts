// Where the Trino engine's workers write (and read back) what a transaction stages: a new version's
// Parquet files, a job's scratch tables, tables staged by DuckDB that later Trino SQL reads.
//
// - On the data dir (no mirror): the folders are under the data dir Trino serves (local:///<path>),
//   so every Trino node must see that file system (one machine, or a cluster file system).
// - On object storage (LAKEHOUSE_MIRROR_URI set): the folders are objects under
//   <mirror>/_trino/<run>/<path>, so the workers need no file system of the lake at all, only the
//   bucket they already read the published tables from. Once Trino has written a table, its objects
//   are downloaded into the transaction's staging folder of the local lake, which stays the lake of
//   record (validated, renamed into a version, synced to the mirror at the next publish); folders
//   DuckDB staged are uploaded before Trino reads them. close() deletes the run's objects; whatever
//   a killed run left is deleted by the next mirror sync (it keeps only the served versions).
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { objectKey, parseS3Uri } from '../object-store.ts';

export interface TrinoStaging {
  readonly kind: 'data-dir' | 'object-store';
  /** Trino's location (external_location) of `rel`, a folder path relative to the data dir. */
  location(rel: string): string;
  /** Makes `rel` an empty place for Trino to write into. */
  prepare(rel: string): Promise<void>;
  /**
   * After Trino wrote into `rel`: its files (Trino names them after the query, without extension), in
   * name order, as `<partPrefix>-<n>.parquet` in the local folder <data dir>/<rel>; returns the names.
   */
  collect(rel: string, partPrefix: string): Promise<string[]>;
  /** Makes the Parquet files of the local folder <data dir>/<rel> readable by Trino at location(rel). */
  share(rel: string): Promise<void>;
  /** Removes what Trino reads at location(rel) (and the local folder). */
  remove(rel: string): Promise<void>;
  /** Removes everything this staging put outside the data dir. */
  close(): Promise<void>;
}

const visible = (name: string) => !name.startsWith('.') && !name.startsWith('_');
const partName = (prefix: string, i: number) => `${prefix}-${String(i).padStart(5, '0')}.parquet`;

export class DataDirStaging implements TrinoStaging {
  readonly kind = 'data-dir' as const;
  constructor(private readonly dataDir: string) {}
  location(rel: string): string {
    return `local:///${rel.split(/[\\/]+/).join('/')}`;
  }
  async prepare(rel: string): Promise<void> {
    mkdirSync(join(this.dataDir, rel), { recursive: true });
  }
  async collect(rel: string, partPrefix: string): Promise<string[]> {
    const dir = join(this.dataDir, rel);
    return readdirSync(dir).filter(visible).sort().map((f, i) => {
      renameSync(join(dir, f), join(dir, partName(partPrefix, i)));
      return partName(partPrefix, i);
    });
  }
  async share(): Promise<void> {}
  async remove(rel: string): Promise<void> {
    rmSync(join(this.dataDir, rel), { recursive: true, force: true });
  }
  async close(): Promise<void> {}
}

export class ObjectStoreStaging implements TrinoStaging {
  readonly kind = 'object-store' as const;
  private readonly bucket: string;
  private readonly root: string;
  private client: import('@aws-sdk/client-s3').S3Client | null = null;

  constructor(private readonly config: Config, private readonly mirrorUri: string, runId: string) {
    const loc = parseS3Uri(mirrorUri);
    this.bucket = loc.bucket;
    this.root = objectKey(loc, `_trino/${runId}`);
  }

  private async s3() {
    const mirror = await import('../mirror.ts');
    this.client ??= mirror.s3Client(this.config);
    return { client: this.client, mirror };
  }

  private prefix(rel: string): string {
    return `${this.root}/${rel.split(/[\\/]+/).join('/')}`;
  }

  location(rel: string): string {
    return `s3://${this.bucket}/${this.prefix(rel)}`;
  }

  private async keys(rel: string): Promise<string[]> {
    const { client, mirror } = await this.s3();
    const objects = await mirror.listObjects(client, { bucket: this.bucket, prefix: this.prefix(rel) });
    return [...objects.keys()];
  }

  private async deleteRemote(rel: string): Promise<void> {
    const { client, mirror } = await this.s3();
    await mirror.deleteObjects(client, this.bucket, await this.keys(rel), this.location(rel));
  }

  async prepare(rel: string): Promise<void> {
    // No folders in object storage: the place is empty once no object is under it.
    await this.deleteRemote(rel);
  }

  async collect(rel: string, partPrefix: string): Promise<string[]> {
    const { client, mirror } = await this.s3();
    const dir = join(this.config.dataDir, rel);
    mkdirSync(dir, { recursive: true });
    const base = `${this.prefix(rel)}/`;
    const keys = (await this.keys(rel)).filter((k) => !k.slice(base.length).includes('/') && visible(k.slice(base.length))).sort();
    const names = keys.map((_, i) => partName(partPrefix, i));
    await mirror.inBatches(keys.map((k, i) => [k, names[i]] as const), 4, ([key, name]) => mirror.getFile(client, this.bucket, key, join(dir, name)));
    return names;
  }

  async share(rel: string): Promise<void> {
    const { client, mirror } = await this.s3();
    const dir = join(this.config.dataDir, rel);
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort() : [];
    await mirror.inBatches(files, 4, (f) => mirror.putFile(client, this.bucket, `${this.prefix(rel)}/${f}`, join(dir, f)));
  }

  async remove(rel: string): Promise<void> {
    await this.deleteRemote(rel);
    rmSync(join(this.config.dataDir, rel), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    if (!this.client) return;
    const { client, mirror } = await this.s3();
    try {
      const objects = await mirror.listObjects(client, { bucket: this.bucket, prefix: this.root });
      await mirror.deleteObjects(client, this.bucket, [...objects.keys()], `s3://${this.bucket}/${this.root}`);
    } finally {
      client.destroy();
      this.client = null;
    }
  }
}

/** The staging of a transaction's Trino engine: in the mirror when the lake has one, else on the data dir. */
export function trinoStaging(config: Config, runId: string): TrinoStaging {
  const mirror = config.objectStore.mirrorUri;
  return mirror ? new ObjectStoreStaging(config, mirror, runId) : new DataDirStaging(config.dataDir);
}
