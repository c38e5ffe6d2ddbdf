// The one rule for a listener id, shared by every component that takes one: the registry
// (`listeners add`, imports, `ingest spotify`), the token store, the inbox and the Spotify folders
// (an id names a file or folder: secrets/spotify/<id>.json, inbox/<id>/, raw/spotify/<id>/), the
// erasure and the CLI. A component that accepted an id another one refuses would leave a person
// half-stored or half-erased, so nobody keeps a copy of this pattern.
import { UsageError } from './errors.ts';

export const LISTENER_ID_MAX = 64;

/** The rule in words, for error messages and help texts. */
export const LISTENER_ID_RULE =
  `1-${LISTENER_ID_MAX} characters: letters, digits, '_', '-' and '.', starting with a letter or digit, no '..' and not ending in '.'`;

// Starts with a letter or digit (never '.', '-', an option-like or hidden name); no '..' (never a
// parent folder); no trailing '.' (some file systems drop it, so 'p1.' and 'p1' would share a folder).
const PATTERN = new RegExp(`^(?!.*\\.\\.)[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,${LISTENER_ID_MAX - 2}}[A-Za-z0-9_-])?$`);

// What the registry accepted before the rule above: the same characters, '..' and a trailing '.'
// allowed. Still a single safe path segment (no '/', never '.' or '..'). Only erasure and export
// take such an id, so that a person registered under one can still be erased.
const LEGACY_PATTERN = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,${LISTENER_ID_MAX - 1}}$`);

export function isListenerId(id: unknown): id is string {
  return typeof id === 'string' && PATTERN.test(id);
}

/** The id as it can be shown in a message: quoted, control characters escaped, long ids cut. */
function shown(id: string): string {
  const cut = id.length > 80 ? `${id.slice(0, 80)}… (${id.length} characters)` : id;
  return JSON.stringify(cut);
}

/** Returns the id when it follows the rule, else throws a usage error naming `what` and the rule. */
export function checkListenerId(id: string, what = 'listener id'): string {
  if (!isListenerId(id)) {
    throw new UsageError(`${what}: ${shown(String(id))} is not a valid listener id (${LISTENER_ID_RULE}; never a name, e-mail address or Spotify user name)`);
  }
  return id;
}

/** For erasure and export only: the rule, or an id the registry accepted before it (see LEGACY_PATTERN). */
export function checkErasableListenerId(id: string, what = 'listener id'): string {
  return typeof id === 'string' && LEGACY_PATTERN.test(id) ? id : checkListenerId(id, what);
}

/** The rule an id breaks, in words (null when it is a valid listener id): for reports that name the rule. */
export function listenerIdProblem(id: string): string | null {
  if (PATTERN.test(id)) return null;
  if (id.length === 0) return 'a listener id must not be empty';
  if (id.length > LISTENER_ID_MAX) return `a listener id has at most ${LISTENER_ID_MAX} characters (this one has ${id.length})`;
  const bad = [...new Set([...id].filter((c) => !/[A-Za-z0-9_.-]/.test(c)))].map((c) => JSON.stringify(c)).join(' ');
  if (bad) return `a listener id holds only letters, digits, '.', '_' and '-' (found ${bad})`;
  return `a listener id follows the rule: ${LISTENER_ID_RULE}`;
}
