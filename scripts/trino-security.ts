// Trino's users, grants and secrets in TRINO_SECURITY_DIR (see lib/trino/security-files.ts for the
// layout and trino/README.md, "Users, studies and rules"). Run through scripts/trino-user.sh
// (analysts) and scripts/trino-start.sh (`init`); compose runs the same in its trino-init service.
//
//   init                       TLS certificate, shared secret, the service users lakehouse and
//                              superset, rules.json (idempotent; run at every start). Env:
//                              TRINO_PASSWORD, TRINO_SUPERSET_PASSWORD (else generated into
//                              <user>.password), TRINO_TLS_HOSTNAMES (more names for the
//                              certificate), TRINO_CA_EXPORT (also copy the certificate there)
//   add <name> [--study <id>]... [--password-stdin]
//                              a new analyst; prints the generated password once on stdout
//   password <name> [--password-stdin]
//                              a new password for a user (analyst or service user)
//   grant <name> --study <id>...   /   revoke <name> --study <id>...
//   remove <name>              the analyst's password and grants
//   list [--json]              users and their studies (never passwords)
//   rules                      regenerates rules.json from studies.yaml and the table declarations
//
// Passwords are printed once (or read from stdin) and never logged; only their bcrypt hashes are
// kept. Trino re-reads password.db and rules.json every 5 s, so no restart is needed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import {
  PIPELINE_USER, READABLE_LAYERS, SERVICE_USERS, SUPERSET_USER, accessRules, analystNameProblem, studyIdProblem,
  type DeclaredTable, type Grants,
} from '../lib/trino/access-rules.ts';
import {
  GRANTS_FILE, PASSWORD_FILE, RULES_FILE, SHARED_SECRET_FILE, SecurityFileError, TLS_CA, TLS_KEYSTORE, bcryptCost, ensurePrivateDir,
  generatePassword, hashPassword, passwordMatches, readGrants, readPasswordFile, securityDir, writeGrants, writePasswordFile, writePrivateFile,
} from '../lib/trino/security-files.ts';

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Folders holding table declarations (lib/table-loader.ts); only silver, gold and ops tables matter here. */
const DECLARATION_ROOTS = ['silver', 'gold', 'ops', 'participants'];

class UsageFailure extends Error {}

const say = (msg: string) => process.stderr.write(`trino-security: ${msg}\n`);

/** silver/gold/ops tables of the declarations, and whether each has a listener_id column. */
export async function declaredTables(repoRoot = REPO_ROOT): Promise<DeclaredTable[]> {
  const { loadTables } = await import('../lib/table-loader.ts'); // loads DuckDB: only when rules are written
  const out: DeclaredTable[] = [];
  for (const root of DECLARATION_ROOTS) {
    for (const { spec } of await loadTables(join(repoRoot, root))) {
      if (!(READABLE_LAYERS as readonly string[]).includes(spec.layer)) continue;
      out.push({ layer: spec.layer, name: spec.name, hasListenerId: spec.columns.some((c) => c.name === 'listener_id') });
    }
  }
  return out.sort((a, b) => `${a.layer}.${a.name}`.localeCompare(`${b.layer}.${b.name}`));
}

export async function writeRules(dir: string, repoRoot = REPO_ROOT): Promise<void> {
  const rules = accessRules(readGrants(join(dir, GRANTS_FILE)), await declaredTables(repoRoot));
  writePrivateFile(join(dir, RULES_FILE), `${JSON.stringify(rules, null, 2)}\n`);
}

function readStdinPassword(): string {
  const text = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  if (text.length === 0) throw new UsageFailure('--password-stdin: stdin gave no password');
  if (/[\r\n]/.test(text)) throw new UsageFailure('--password-stdin: the password must be one line');
  return text;
}

function checkAnalyst(name: string): void {
  const problem = analystNameProblem(name);
  if (problem) throw new UsageFailure(problem);
}

function checkStudies(studies: string[]): string[] {
  for (const s of studies) {
    const problem = studyIdProblem(s);
    if (problem) throw new UsageFailure(`--study: ${problem}`);
  }
  return studies;
}

/** Sets a user's hash; a generated password is printed on stdout, once. Returns the password. */
function setPassword(dir: string, user: string, fromStdin: boolean): string {
  const password = fromStdin ? readStdinPassword() : generatePassword();
  const file = join(dir, PASSWORD_FILE);
  const entries = readPasswordFile(file);
  entries.set(user, hashPassword(password));
  writePasswordFile(file, entries);
  if (!fromStdin) process.stdout.write(`${password}\n`);
  return password;
}

// --- init -------------------------------------------------------------------------------------

function certificateHosts(env: NodeJS.ProcessEnv): string[] {
  const extra = (env.TRINO_TLS_HOSTNAMES ?? '').split(/[\s,]+/).filter(Boolean);
  return [...new Set(['127.0.0.1', 'localhost', ...extra])];
}

function certificateCovers(caFile: string, hosts: string[]): boolean {
  const text = spawnSync('openssl', ['x509', '-in', caFile, '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' });
  if (text.status !== 0) return false;
  const sans = new Set([...text.stdout.matchAll(/(?:DNS|IP Address):([^,\s]+)/g)].map((m) => m[1]));
  // Renewed 30 days before it expires.
  const valid = spawnSync('openssl', ['x509', '-in', caFile, '-noout', '-checkend', String(30 * 86400)], { encoding: 'utf8' });
  return valid.status === 0 && hosts.every((h) => sans.has(h));
}

/** A self-signed certificate for 127.0.0.1, localhost and TRINO_TLS_HOSTNAMES (kept while valid for them). */
function ensureCertificate(dir: string, env: NodeJS.ProcessEnv): void {
  const hosts = certificateHosts(env);
  const keystore = join(dir, TLS_KEYSTORE);
  const ca = join(dir, TLS_CA);
  if (existsSync(keystore) && existsSync(ca) && certificateCovers(ca, hosts)) return;
  ensurePrivateDir(join(dir, 'tls'));
  const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  const tmpKey = join(dir, 'tls', `.key-${process.pid}.pem`);
  const tmpCert = join(dir, 'tls', `.cert-${process.pid}.pem`);
  const res = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-sha256', '-days', '825',
    '-subj', '/CN=lakehouse-trino', '-keyout', tmpKey, '-out', tmpCert,
    '-addext', `subjectAltName=${san}`, '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,digitalSignature,keyCertSign', '-addext', 'extendedKeyUsage=serverAuth',
  ], { encoding: 'utf8', env: { ...env, OPENSSL_CONF: '/dev/null' }, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    if (res.error || res.status !== 0) throw new SecurityFileError(`openssl could not create the certificate: ${res.error?.message ?? res.stderr.trim()}`);
    const key = readFileSync(tmpKey, 'utf8');
    const cert = readFileSync(tmpCert, 'utf8');
    writePrivateFile(keystore, key + cert);
    writePrivateFile(ca, cert, 0o644);
  } finally {
    spawnSync('rm', ['-f', tmpKey, tmpCert]);
  }
  say(`generated a self-signed certificate for ${hosts.join(', ')} in ${join(dir, 'tls')} (clients trust ${ca})`);
}

/**
 * A service user's password: from its environment variable when set (then nothing is written but the
 * hash), else the generated one kept in <user>.password (0600), generated on first use.
 */
function ensureServiceUser(dir: string, user: string, envVar: string, env: NodeJS.ProcessEnv): void {
  // TRINO_PASSWORD is the password of TRINO_USER: it is lakehouse's only when TRINO_USER is lakehouse (or unset).
  const applies = envVar !== 'TRINO_PASSWORD' || (env.TRINO_USER?.trim() || PIPELINE_USER) === PIPELINE_USER;
  const fromEnv = applies && env[envVar]?.trim() ? env[envVar] : undefined;
  const passwordFile = join(dir, `${user}.password`);
  let password = fromEnv;
  if (password === undefined) {
    if (!existsSync(passwordFile)) {
      writePrivateFile(passwordFile, `${generatePassword()}\n`);
      say(`generated the password of Trino user ${user} into ${passwordFile} (mode 0600)`);
    }
    password = readFileSync(passwordFile, 'utf8').trim();
  }
  const file = join(dir, PASSWORD_FILE);
  const entries = readPasswordFile(file);
  const hash = entries.get(user);
  if (hash && bcryptCost(hash) >= 10 && passwordMatches(password, hash)) return;
  entries.set(user, hashPassword(password));
  writePasswordFile(file, entries);
  say(`set the password of Trino user ${user} (from ${fromEnv !== undefined ? envVar : passwordFile})`);
}

export async function init(dir: string, env: NodeJS.ProcessEnv = process.env, repoRoot = REPO_ROOT): Promise<void> {
  ensurePrivateDir(dir);
  ensureCertificate(dir, env);
  if (!existsSync(join(dir, SHARED_SECRET_FILE))) {
    writePrivateFile(join(dir, SHARED_SECRET_FILE), `${generatePassword()}${generatePassword()}\n`);
    say(`generated Trino's internal shared secret in ${join(dir, SHARED_SECRET_FILE)}`);
  }
  ensureServiceUser(dir, PIPELINE_USER, 'TRINO_PASSWORD', env);
  ensureServiceUser(dir, SUPERSET_USER, 'TRINO_SUPERSET_PASSWORD', env);
  if (!existsSync(join(dir, GRANTS_FILE))) writeGrants(join(dir, GRANTS_FILE), {});
  await writeRules(dir, repoRoot);
  // compose: the certificate alone, in a volume the clients mount (they never see the security dir).
  if (env.TRINO_CA_EXPORT?.trim()) writePrivateFile(env.TRINO_CA_EXPORT, readFileSync(join(dir, TLS_CA), 'utf8'), 0o644);
}

// --- the CLI ----------------------------------------------------------------------------------

function program(dir: string): Command {
  const cmd = new Command('trino-user')
    .description(`Trino users and their studies, in ${dir} (TRINO_SECURITY_DIR)`)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const grantsFile = join(dir, GRANTS_FILE);
  const collect = (v: string, acc: string[]) => [...acc, v];

  cmd.command('init').description('certificate, shared secret, service users and rules (idempotent)').action(async () => {
    await init(dir);
  });

  cmd.command('add <name>').description('add an analyst; prints the generated password once')
    .option('--study <id>', 'a study the analyst may read (repeatable)', collect, [])
    .option('--password-stdin', 'read the password from stdin instead of generating one')
    .action(async (name: string, opts: { study: string[]; passwordStdin?: boolean }) => {
      checkAnalyst(name);
      const studies = checkStudies(opts.study);
      const grants = readGrants(grantsFile);
      if (readPasswordFile(join(dir, PASSWORD_FILE)).has(name) || grants[name]) {
        throw new UsageFailure(`analyst ${name} exists already (password: to set a new one; grant: to add studies)`);
      }
      ensurePrivateDir(dir);
      grants[name] = studies;
      writeGrants(grantsFile, grants);
      await writeRules(dir);
      setPassword(dir, name, opts.passwordStdin === true);
      say(`added analyst ${name} (studies: ${studies.join(', ') || 'none yet'}); Trino picks it up within 5 s`);
    });

  cmd.command('password <name>').description('set a new password (generated and printed once, or from stdin)')
    .option('--password-stdin', 'read the password from stdin instead of generating one')
    .action((name: string, opts: { passwordStdin?: boolean }) => {
      if (!(SERVICE_USERS as readonly string[]).includes(name)) checkAnalyst(name);
      if (!readPasswordFile(join(dir, PASSWORD_FILE)).has(name)) throw new UsageFailure(`no Trino user ${name} in ${join(dir, PASSWORD_FILE)}`);
      const password = setPassword(dir, name, opts.passwordStdin === true);
      // init re-hashes a service user's password from <user>.password (when its env var is unset): keep it current.
      if ((SERVICE_USERS as readonly string[]).includes(name)) writePrivateFile(join(dir, `${name}.password`), `${password}\n`);
      say(`set a new password for ${name}`);
    });

  const changeStudies = (verb: 'grant' | 'revoke') => async (name: string, opts: { study: string[] }) => {
    checkAnalyst(name);
    const studies = checkStudies(opts.study);
    if (studies.length === 0) throw new UsageFailure(`${verb}: give at least one --study <id>`);
    const grants = readGrants(grantsFile);
    if (!grants[name]) throw new UsageFailure(`no analyst ${name} in ${grantsFile}`);
    grants[name] = verb === 'grant' ? [...grants[name], ...studies] : grants[name].filter((s) => !studies.includes(s));
    writeGrants(grantsFile, grants);
    await writeRules(dir);
    say(`${name} now reads studies: ${[...new Set(grants[name])].sort().join(', ') || 'none'}`);
  };
  cmd.command('grant <name>').description('let an analyst read more studies')
    .requiredOption('--study <id>', 'study id (repeatable)', collect, []).action(changeStudies('grant'));
  cmd.command('revoke <name>').description('take studies away from an analyst')
    .requiredOption('--study <id>', 'study id (repeatable)', collect, []).action(changeStudies('revoke'));

  cmd.command('remove <name>').description("remove an analyst's password and grants").action(async (name: string) => {
    checkAnalyst(name);
    const file = join(dir, PASSWORD_FILE);
    const entries = readPasswordFile(file);
    const grants = readGrants(grantsFile);
    if (!entries.has(name) && !grants[name]) throw new UsageFailure(`no analyst ${name}`);
    entries.delete(name);
    delete grants[name];
    writePasswordFile(file, entries);
    writeGrants(grantsFile, grants);
    await writeRules(dir);
    say(`removed analyst ${name}; Trino refuses them within 5 s (running queries are not cancelled)`);
  });

  cmd.command('list').description('users and their studies').option('--json', 'one JSON array on stdout')
    .action((opts: { json?: boolean }) => {
      const entries = readPasswordFile(join(dir, PASSWORD_FILE));
      const grants = readGrants(grantsFile);
      const names = [...new Set([...entries.keys(), ...Object.keys(grants)])].sort();
      const rows = names.map((user) => ({
        user,
        role: user === PIPELINE_USER ? 'pipeline' : user === SUPERSET_USER ? 'superset' : 'analyst',
        studies: (SERVICE_USERS as readonly string[]).includes(user) ? null : grants[user] ?? [],
        can_log_in: entries.has(user),
      }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows)}\n`);
        return;
      }
      for (const r of rows) {
        const studies = r.studies === null ? (r.user === PIPELINE_USER ? 'all (owner)' : 'all (read-only)') : r.studies.join(', ') || 'none';
        process.stdout.write(`${r.user.padEnd(20)} ${r.role.padEnd(9)} ${studies}${r.can_log_in ? '' : '  (no password: cannot log in)'}\n`);
      }
    });

  cmd.command('rules').description('regenerate rules.json from studies.yaml and the table declarations').action(async () => {
    await writeRules(dir);
    say(`wrote ${join(dir, RULES_FILE)}`);
  });
  return cmd;
}

async function main(argv: string[]): Promise<number> {
  const dir = securityDir();
  try {
    await program(dir).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageFailure) {
      say(`error: ${err.message}`);
      return 2;
    }
    say(`error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

export type { Grants };

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
