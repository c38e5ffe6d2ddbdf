// Child process for the erasure kill test: erases a listener and SIGKILLs itself right after the
// n-th crash point (a rename of the table rewrite, or the file removal), like a power cut there.
import { loadConfig } from '../lib/config.ts';
import { silentLogger } from '../lib/logger.ts';
import { eraseListener } from '../participants/erase.ts';

const [dataDir, listener, killAt] = process.argv.slice(2);
const config = loadConfig({ dataDir }, { LOG_LEVEL: 'silent', DUCKDB_THREADS: '1' });
let seen = 0;
await eraseListener(config, silentLogger, listener, {
  crashPoint: () => {
    if (++seen === Number(killAt)) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write('finished without being killed\n');
