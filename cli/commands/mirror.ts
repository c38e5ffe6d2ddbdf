import type { Command } from 'commander';
import { cliFor, printJson, printTable, requireExistingDataDir } from '../app.ts';

export function register(program: Command): void {
  program
    .command('mirror')
    .description('make a copy of the lake on S3-compatible object storage equal to what the lake serves (current and pinned versions)')
    .option('--to <uri>', 's3://<bucket>/<prefix> (default $LAKEHOUSE_MIRROR_URI)')
    .addHelpText('after', `
The mirror holds the current version of every table, the versions Trino still serves, and the
catalog, byte for byte; everything else under the prefix is deleted (older versions, the rows an
erasure removed). \`listeners delete\` syncs it again by itself when LAKEHOUSE_MIRROR_URI is set.
Other machines read it with --data-dir s3://<bucket>/<prefix> (query, tables, export) and Trino
serves it after \`lakehouse publish\` (trino/README.md). Credentials: AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY (never logged); LAKEHOUSE_S3_ENDPOINT for a server other than AWS S3,
LAKEHOUSE_S3_REGION (default us-east-1), LAKEHOUSE_S3_URL_STYLE path|vhost. A bucket with object
versioning is refused (old object versions would outlive an erasure).

Examples:
  $ LAKEHOUSE_S3_ENDPOINT=http://127.0.0.1:9000 lakehouse mirror --to s3://lake/study-a
  $ lakehouse query --data-dir s3://lake/study-a "select count(*) from silver.listening_with_features"`)
    .action(async function (this: Command, opts: { to?: string }) {
      const { config, log, opts: g } = cliFor(this);
      requireExistingDataDir(config);
      const [{ withLock }, { syncMirror }, { resolveDataDir }] = await Promise.all([import('../../lib/lock.ts'), import('../../lib/mirror.ts'), import('../../lib/config.ts')]);
      const uri = opts.to === undefined ? config.objectStore.mirrorUri : resolveDataDir(opts.to, process.cwd());
      const summary = await withLock(config.dataDir, 'mirror', () => syncMirror(config, log, uri), { leaseMs: config.ops.lockLeaseMs });
      if (g.json) printJson(summary);
      else printTable([{ ...summary }], ['uri', 'tables', 'versions', 'files', 'uploaded_files', 'uploaded_bytes', 'deleted_objects', 'seconds']);
    });
}
