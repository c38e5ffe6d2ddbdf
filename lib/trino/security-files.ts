// The files of TRINO_SECURITY_DIR, the one place Trino's secrets live (outside the repo; mode 0700,
// every file 0600 except the public certificate):
//   password.db         user:bcrypt-hash lines read by Trino's file password authenticator
//   studies.yaml        analyst → granted studies (the input of the rules)
//   rules.json          the generated file-based access control rules
//   shared-secret       Trino's internal-communication secret
//   tls/server.pem      private key + self-signed certificate (Trino's keystore)
//   tls/ca.pem          the certificate alone: what clients trust (TRINO_CA_FILE)
//   lakehouse.password, superset.password
//                       the service users' passwords when they were generated here (natively)
// Every write goes to a 0600 temporary file in the same folder that is renamed over the old one, so
// Trino (which re-reads password.db and rules.json while running) never sees a half-written file.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import bcrypt from 'bcryptjs';
import YAML from 'yaml';
import { analystNameProblem, studyIdProblem, type Grants } from './access-rules.ts';

export const PASSWORD_FILE = 'password.db';
export const GRANTS_FILE = 'studies.yaml';
export const RULES_FILE = 'rules.json';
export const SHARED_SECRET_FILE = 'shared-secret';
export const TLS_KEYSTORE = join('tls', 'server.pem');
export const TLS_CA = join('tls', 'ca.pem');
/** Trino refuses bcrypt hashes below cost 8; we use at least 10. */
export const BCRYPT_COST = 10;

export class SecurityFileError extends Error {}

type Env = Record<string, string | undefined>;

/** TRINO_SECURITY_DIR, else $LAKEHOUSE_CACHE_DIR/trino/security (default ~/.cache/lakehouse). */
export function securityDir(env: Env = process.env): string {
  if (env.TRINO_SECURITY_DIR?.trim()) return env.TRINO_SECURITY_DIR;
  const cache = env.LAKEHOUSE_CACHE_DIR?.trim() || join(homedir(), '.cache', 'lakehouse');
  return join(cache, 'trino', 'security');
}

/** Creates the folder (and its parents) and makes it 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Atomically replaces `file` with `content`, mode `mode` (0600 unless said otherwise; a private file's folder is made 0700). */
export function writePrivateFile(file: string, content: string, mode = 0o600): void {
  if (mode & 0o077) mkdirSync(dirname(file), { recursive: true });
  else ensurePrivateDir(dirname(file));
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode); // the umask may have narrowed a wider mode (the public certificate)
  renameSync(tmp, file);
}

export function fileMode(file: string): number {
  return statSync(file).mode & 0o777;
}

/** A random password: 32 characters of base64url (192 bits). */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/** A bcrypt hash in the `$2y$` form Trino's file authenticator accepts ($2b$ and $2y$ are the same algorithm). */
export function hashPassword(password: string, cost = BCRYPT_COST): string {
  if (password.length === 0) throw new SecurityFileError('the password is empty');
  if (Buffer.byteLength(password) > 72) throw new SecurityFileError('the password is longer than 72 bytes (bcrypt ignores the rest)');
  return bcrypt.hashSync(password, cost).replace(/^\$2[ab]\$/, '$2y$');
}

export function passwordMatches(password: string, hash: string): boolean {
  return bcrypt.compareSync(password, hash);
}

export function bcryptCost(hash: string): number {
  const m = /^\$2[aby]\$(\d\d)\$/.exec(hash);
  return m ? Number(m[1]) : 0;
}

/** user → hash, in file order. */
export type PasswordEntries = Map<string, string>;

export function readPasswordFile(file: string): PasswordEntries {
  const out: PasswordEntries = new Map();
  if (!existsSync(file)) return out;
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const at = line.indexOf(':');
    if (at <= 0) throw new SecurityFileError(`${file}:${i + 1}: expected user:bcrypt-hash`);
    const user = line.slice(0, at);
    const hash = line.slice(at + 1).trim();
    if (!/^\$2[aby]\$\d\d\$/.test(hash)) throw new SecurityFileError(`${file}:${i + 1}: the entry of ${user} is not a bcrypt hash`);
    if (out.has(user)) throw new SecurityFileError(`${file}:${i + 1}: ${user} is listed twice`);
    out.set(user, hash);
  });
  return out;
}

export function writePasswordFile(file: string, entries: PasswordEntries): void {
  writePrivateFile(file, [...entries].map(([user, hash]) => `${user}:${hash}\n`).join(''));
}

const GRANTS_HEADER = `# Trino analysts and the studies each may read (row filters on every listener-level table).
# Maintained by scripts/trino-user.sh (add, grant, revoke, remove); hand edits are fine, then run
# scripts/trino-user.sh rules to regenerate rules.json. Format: analysts: { <name>: [<study id>, ...] }
`;

/** Reads studies.yaml; a missing file means no analysts. Errors name the file and the entry. */
export function readGrants(file: string): Grants {
  if (!existsSync(file)) return {};
  let doc: unknown;
  try {
    doc = YAML.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SecurityFileError(`${file}: not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (doc === null || doc === undefined) return {};
  const analysts = (doc as { analysts?: unknown }).analysts;
  if (typeof doc !== 'object' || Array.isArray(doc) || (analysts !== undefined && analysts !== null && (typeof analysts !== 'object' || Array.isArray(analysts)))) {
    throw new SecurityFileError(`${file}: expected a mapping "analysts:" of analyst name to a list of study ids`);
  }
  const grants: Grants = {};
  for (const [name, studies] of Object.entries((analysts ?? {}) as Record<string, unknown>)) {
    const nameProblem = analystNameProblem(name);
    if (nameProblem) throw new SecurityFileError(`${file}: analysts.${name}: ${nameProblem}`);
    const list = studies === null ? [] : studies;
    if (!Array.isArray(list)) throw new SecurityFileError(`${file}: analysts.${name}: expected a list of study ids`);
    for (const s of list) {
      const problem = studyIdProblem(String(s));
      if (problem) throw new SecurityFileError(`${file}: analysts.${name}: ${problem}`);
      if (typeof s !== 'string') throw new SecurityFileError(`${file}: analysts.${name}: ${JSON.stringify(s)} is not a string; quote study ids ("${String(s)}")`);
    }
    grants[name] = [...new Set(list as string[])].sort();
  }
  return grants;
}

export function writeGrants(file: string, grants: Grants): void {
  // JSON strings are YAML double-quoted scalars: ids like 2026 or null stay strings.
  const lines = Object.keys(grants).sort().map((a) => `  ${JSON.stringify(a)}: [${[...new Set(grants[a])].sort().map((s) => JSON.stringify(s)).join(', ')}]\n`);
  writePrivateFile(file, `${GRANTS_HEADER}analysts:${lines.length === 0 ? ' {}\n' : `\n${lines.join('')}`}`);
}

export function removeFile(file: string): void {
  rmSync(file, { force: true });
}
