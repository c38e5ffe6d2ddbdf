// The package version, read from the project's package.json (one folder up from lib/, two from the
// compiled dist/lib/, whose own package.json only marks the folder as ES modules).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let cached: string | undefined;

export function packageVersion(): string {
  if (cached) return cached;
  for (const up of ['..', join('..', '..')]) {
    try {
      const pkg = JSON.parse(readFileSync(join(import.meta.dirname, up, 'package.json'), 'utf8')) as { version?: string };
      if (pkg.version) return (cached = pkg.version);
    } catch {
      // not there: try the next folder up
    }
  }
  return (cached = '0.0.0-unknown');
}
