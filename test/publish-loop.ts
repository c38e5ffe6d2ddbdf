// Child process for the SIGKILL test: publishes version after version of one table until killed.
import { loadConfig } from '../lib/config.ts';
import { silentLogger } from '../lib/logger.ts';
import { withWriter } from '../lib/session.ts';

const dataDir = process.argv[2];
const config = loadConfig({ dataDir }, { LOG_LEVEL: 'silent', DUCKDB_THREADS: '1' });
const spec = { layer: 'silver' as const, name: 'churn', grain: ['id'], columns: [
  { name: 'id', type: 'BIGINT', description: 'row' }, { name: 'generation', type: 'INTEGER', description: 'which publish wrote it' },
] };
await withWriter(config, silentLogger, 'publish-loop', async (s) => {
  for (let g = 1; ; g++) {
    const tx = s.begin();
    // The row count encodes the generation, so a reader can tell a partial version from a whole one.
    await tx.write(spec, { sql: `select range as id, ${g}::integer as generation from range(${20000 + g})` });
    await tx.commit();
    process.stdout.write(`${g}\n`);
  }
});
