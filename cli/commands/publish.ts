import type { Command } from 'commander';
import { cliFor, printJson, printTable } from '../app.ts';

export function register(program: Command): void {
  program
    .command('publish')
    .description('publish every current table to Trino (TRINO_URL) as views lakehouse.<layer>.<table> over external Parquet tables')
    .addHelpText('after', `
Trino must serve this data dir (scripts/trino-start.sh with the same LAKEHOUSE_DATA_DIR, or docker
compose). It connects as TRINO_USER (the pipeline user lakehouse, the only one allowed to publish)
with TRINO_PASSWORD over https, trusting TRINO_CA_FILE. Publishing is idempotent; readers see the
old or the new version of a table, never a mix.

Examples:
  $ TRINO_URL=https://127.0.0.1:8080 TRINO_CA_FILE=~/.cache/lakehouse/trino/security/tls/ca.pem lakehouse publish
  $ lakehouse publish --json`)
    .action(async function (this: Command) {
      const { config, log, opts } = cliFor(this);
      const [{ withLock }, { publishLake }, { trinoFromConfig }] = await Promise.all([import('../../lib/lock.ts'), import('../../lib/trino/publish.ts'), import('../../lib/trino/client.ts')]);
      const trino = trinoFromConfig(config);
      const summary = await withLock(config.dataDir, 'publish', () => publishLake(config, log, trino), { leaseMs: config.ops.lockLeaseMs });
      if (opts.json) printJson(summary);
      else printTable(summary.tables, ['table', 'version', 'rows', 'changed', 'physical']);
    });
}
