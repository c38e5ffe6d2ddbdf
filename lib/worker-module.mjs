// Loads a worker thread's module: from the compiled dist/ the .js beside the worker entry, from the
// sources the .ts through tsx, registered first (worker threads do not inherit the main thread's
// TypeScript loader). `base` is the worker entry's import.meta.url, `name` the module without extension.
import { existsSync } from 'node:fs';

export async function importWorkerModule(base, name) {
  const compiled = new URL(`./${name}.js`, base);
  if (existsSync(compiled)) return import(compiled.href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL(`./${name}.ts`, base).href);
}
