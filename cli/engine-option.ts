// --engine of run and build: checked before anything starts, so a typo is a usage error (exit 2).
import { UsageError } from '../lib/errors.ts';
import { ENGINES } from '../lib/sql-dialect.ts';

export function checkEngine(value: string | undefined): string | undefined {
  if (value !== undefined && !(ENGINES as readonly string[]).includes(value)) {
    throw new UsageError(`--engine ${value}: expected ${ENGINES.join(' or ')}`);
  }
  return value;
}
