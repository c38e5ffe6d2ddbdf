// Preloaded with `node --import ./test/module-log.mjs` by cli/lazy-load.test.ts: appends to the file
// named by MODULE_LOG every module the process loads, one URL a line. ES modules are seen by a
// resolve hook (the hooks run on their own thread, hence the synchronous appends); CommonJS modules,
// including packages loaded with require (lib/duckdb.ts), are read from require's cache at exit.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const log = process.env.MODULE_LOG;
if (log) {
  const hooks = `
    import { appendFileSync } from 'node:fs';
    export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      appendFileSync(${JSON.stringify(log)}, resolved.url + '\\n');
      return resolved;
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const cjs = Object.keys(require('node:module')._cache).map((f) => pathToFileURL(f).href);
    appendFileSync(log, cjs.map((u) => `${u}\n`).join(''));
  });
}
