// Does the Trino at TRINO_URL serve this data dir? Table locations are relative to the data dir Trino
// was started with, so publishing lake A to a Trino that serves lake B would silently point views at
// B's folders wherever the paths happen to exist. Each data dir gets a random id in
// _trino/identity/lake-id.txt; Trino reads it back through a one-column text table, and publish
// refuses to go on when it reads a different id or none.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrinoClient } from './client.ts';
import { TrinoQueryError } from './client.ts';
import { PublishError, physicalRef } from './publish-plan.ts';

/** Lives in VERSIONS_SCHEMA beside the version tables; publish never drops it. */
export const IDENTITY_TABLE = '_lake_identity';
const IDENTITY_DIR = join('_trino', 'identity');

export function lakeId(dataDir: string): string {
  const dir = join(dataDir, IDENTITY_DIR);
  const file = join(dir, 'lake-id.txt');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${randomUUID()}\n`, { flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}

export async function assertServesLake(trino: TrinoClient, dataDir: string): Promise<void> {
  const id = lakeId(dataDir);
  const mismatch = (detail: string) =>
    new PublishError(`publish: the Trino at ${trino.server} does not serve ${dataDir} (${detail}); start it with LAKEHOUSE_DATA_DIR=${dataDir} (scripts/trino-start.sh) or point TRINO_URL at the Trino that does`);
  try {
    await trino.query(
      `create table if not exists ${physicalRef(IDENTITY_TABLE)} (id varchar) with (external_location = 'local:///${IDENTITY_DIR}', format = 'TEXTFILE')`,
    );
    const { rows } = await trino.query(`select id from ${physicalRef(IDENTITY_TABLE)}`);
    const seen = rows.map((r) => String(r[0]).trim());
    if (!seen.includes(id)) throw mismatch(`it reads lake id ${seen.join(', ') || 'none'}, this data dir is ${id}`);
  } catch (err) {
    if (err instanceof TrinoQueryError && /External location must be a directory/.test(err.trinoMessage)) throw mismatch('it has no lake id folder');
    throw err;
  }
}
