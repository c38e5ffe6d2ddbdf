// The one rule for a study id (bronze.listeners.study_id, `--study` of listeners add|set, run, build and
// report study, the study_id column of listeners.csv). Study ids end up in Trino row filters and
// Superset row-level-security clauses, so they are kept to a short lowercase slug that never needs
// quoting beyond a plain SQL string literal.
import { UsageError } from './errors.ts';

/** The study of every listener registered without one, and of every listener of a lake written before studies. */
export const DEFAULT_STUDY = 'default';

export const STUDY_ID_RULE = "1-64 characters: lowercase letters, digits, '_' and '-', starting with a letter or digit";

const PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function isStudyId(id: unknown): id is string {
  return typeof id === 'string' && PATTERN.test(id);
}

/** Returns the id when it follows the rule, else throws a usage error naming `what` and the rule. */
export function checkStudyId(id: string, what = '--study'): string {
  if (!isStudyId(id)) {
    const shown = JSON.stringify(String(id).length > 80 ? `${String(id).slice(0, 80)}…` : String(id));
    throw new UsageError(`${what}: ${shown} is not a valid study id (${STUDY_ID_RULE}, e.g. pilot or study-2026)`);
  }
  return id;
}
