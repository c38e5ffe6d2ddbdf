// Property-based fuzzing of `lakehouse ingest kaggle` over real rows of the Kaggle sample. Every
// generated file is a few real rows, each maybe mutated in a way whose verdict is known (still valid,
// invalid in a named field, or breaking the whole file). The invariant: the command either refuses
// the file with an error naming it, or imports it with every valid row kept unchanged and every
// invalid row in bronze.rejected_rows; never a silent loss, a stack trace or an unnamed engine error.
// Runs: LAKEHOUSE_FUZZ_RUNS (npm run fuzz: 2,000); by default 80, cut off after 40 s in `npm test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { kaggleSample, runCli, tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withReader } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { readCatalog, relationExists } from '../../lib/lake.ts';
import { MAX_LINE_BYTES } from './bounded-csv.ts';

const FUZZ_RUNS = Number(process.env.LAKEHOUSE_FUZZ_RUNS ?? 80);
const FUZZ_TIME_LIMIT_MS = process.env.LAKEHOUSE_FUZZ_RUNS ? 3_600_000 : 40_000;

const [HEADER, ...REAL] = parse(readFileSync(kaggleSample), { relax_column_count: false }) as string[][];
const col = (name: string) => HEADER.indexOf(name);
const TEXT = ['artists', 'album_name', 'track_name', 'track_genre'];
const UNIT = ['danceability', 'energy', 'speechiness', 'acousticness', 'instrumentalness', 'liveness', 'valence'];
const INT32 = ['popularity', 'key', 'mode', 'time_signature'];
const NUMERIC = [...UNIT, ...INT32, 'duration_ms', 'loudness', 'tempo'];

/** A field as written: text is CSV-quoted when needed; bytes go out as they are (unquoted). */
type Cell = string | Buffer;
type Verdict = { kind: 'valid' } | { kind: 'invalid'; field: string | null } | { kind: 'refused' };
interface Mutated { cells: Cell[]; verdict: Verdict; label: string }

const cell = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const lineBytes = (cells: Cell[], eol: string) =>
  Buffer.concat([...cells.flatMap((c, i) => [i > 0 ? Buffer.from(',') : Buffer.alloc(0), typeof c === 'string' ? Buffer.from(cell(c)) : c]), Buffer.from(eol)]);

function setField(fields: string[], name: string, value: Cell): Cell[] {
  const out: Cell[] = [...fields];
  out[col(name)] = value;
  return out;
}

const valid = (label: string, fields: Cell[]): Mutated => ({ cells: fields, verdict: { kind: 'valid' }, label });
const invalid = (label: string, fields: Cell[], field: string | null): Mutated => ({ cells: fields, verdict: { kind: 'invalid', field }, label });

/** Mutations of one real row, each with its verdict under CONVENTIONS.md "Kaggle rejects". */
function rowMutation(f: string[]): fc.Arbitrary<Mutated> {
  const bigInt = (min: bigint) => fc.bigInt({ min, max: 10n ** 40n }).chain((n) => fc.constantFrom(String(n), `-${n}`));
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ name: fc.constantFrom(...TEXT), s: fc.string({ unit: 'binary', maxLength: 40 }).filter((t) => !/[\uD800-\uDFFF]/u.test(t)) })
      .map(({ name, s }) => valid(`text ${name}`, setField(f, name, s))) },
    fc.constant(valid('row 65900 style', [...setField(f, 'artists', '').slice(0, col('album_name')), '', '', f[col('popularity')], '0', ...f.slice(col('explicit'))])),
    fc.record({ name: fc.constantFrom(...UNIT, 'loudness', 'tempo'), how: fc.constantFrom('exp', 'plus', 'pad', 'zero') }).map(({ name, how }) => {
      const s = f[col(name)];
      const v = Number(s);
      const spelled = how === 'exp' ? v.toExponential() : how === 'plus' && v >= 0 ? `+${s}` : how === 'pad' ? ` ${s} ` : s.includes('.') ? `${s}000` : s;
      return valid(`number spelling ${how}`, setField(f, name, spelled));
    }),
    fc.constantFrom('TRUE', 'true', 'False', 'FALSE').map((b) => valid('explicit spelling', setField(f, 'explicit', b))),
    fc.record({ name: fc.constantFrom(...NUMERIC), radix: fc.constantFrom('0x', '0X', '0b', '0o'), n: fc.nat(4096) }).map(({ name, radix, n }) =>
      invalid(`radix ${radix}`, setField(f, name, `${radix}${n.toString(radix.toLowerCase() === '0x' ? 16 : radix === '0b' ? 2 : 8)}`), name)),
    fc.record({ name: fc.constantFrom(...NUMERIC), s: fc.constantFrom('', 'abc', 'NaN', 'Infinity', '-Infinity', '1e400', '1,5', '--1', '١٢', '5dB', '1_000', '0.5.1') })
      .map(({ name, s }) => invalid('unparsable number', setField(f, name, s), name)),
    fc.record({ name: fc.constantFrom(...INT32), s: bigInt(2n ** 31n) }).map(({ name, s }) => invalid('beyond int32', setField(f, name, s), name)),
    bigInt(2n ** 53n).map((s) => invalid('duration beyond 2^53', setField(f, 'duration_ms', s), 'duration_ms')),
    fc.constantFrom('1e30', '-1e30', '1.5e300').map((s) => invalid('1e30 duration', setField(f, 'duration_ms', s), 'duration_ms')),
    fc.constantFrom(...INT32, 'duration_ms').map((name) => invalid('fractional integer', setField(f, name, '1.5'), name)),
    fc.record({ name: fc.constantFrom(...UNIT), v: fc.oneof(fc.double({ min: 1.0000001, max: 1e300, noNaN: true }), fc.double({ min: -1e300, max: -1e-9, noNaN: true })) })
      .map(({ name, v }) => invalid('unit feature out of [0, 1]', setField(f, name, String(v)), name)),
    fc.double({ min: 300.001, max: 1e12, noNaN: true }).map((v) => invalid('tempo above 300', setField(f, 'tempo', String(v)), 'tempo')),
    fc.double({ min: 5.001, max: 1e6, noNaN: true }).map((v) => invalid('loudness above 5 dB', setField(f, 'loudness', String(v)), 'loudness')),
    fc.constantFrom('', '   ').map((s) => invalid('empty track_id', setField(f, 'track_id', s), 'track_id')),
    fc.constantFrom('yes', '1', '').map((s) => invalid('explicit not boolean', setField(f, 'explicit', s), 'explicit')),
    fc.record({ name: fc.constantFrom(...TEXT), bytes: fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]) })
      .map(({ name, bytes }) => invalid('invalid UTF-8', setField(f, name, Buffer.from([0x61, ...bytes, 0x62])), name)),
    fc.constant(invalid('field dropped', f.slice(1), null)),
    fc.constant(invalid('field added', [...f, 'extra'], null)),
  );
}

/** Mutations that make the whole file unreadable as a Kaggle CSV. */
const fileMutation = fc.oneof(
  fc.constantFrom('energy', 'track_id', 'time_signal').map((c) => ({ label: `header duplicate ${c}`, header: [...HEADER, c], extraField: true })),
  fc.constantFrom(1, 5, 20).map((i) => ({ label: 'header column dropped', header: HEADER.filter((_, j) => j !== i), extraField: false })),
  fc.constant({ label: 'header unknown column', header: [...HEADER, 'comment'], extraField: true }),
  fc.constant({ label: 'line too long', longLine: true }),
  fc.constant({ label: 'stray quote', strayQuote: true }),
  fc.constant({ label: 'unclosed quote', unclosed: true }),
  fc.constant({ label: 'header not UTF-8', badHeader: true }),
);
type FileMutation = { label: string; header?: string[]; extraField?: boolean; longLine?: boolean; strayQuote?: boolean; unclosed?: boolean; badHeader?: boolean };

type Input = { rows: Mutated[]; eol: string; bom: boolean; fileMut: FileMutation | null };

const input: fc.Arbitrary<Input> = fc.record({
  picks: fc.uniqueArray(fc.integer({ min: 0, max: REAL.length - 1 }), { minLength: 1, maxLength: 12 }),
  eol: fc.constantFrom('\r\n', '\n'),
  bom: fc.boolean(),
  fileMut: fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: fileMutation as fc.Arbitrary<FileMutation>, weight: 1 }),
}).chain(({ picks, eol, bom, fileMut }) =>
  fc.tuple(...picks.map((p) => fc.option(rowMutation(REAL[p]), { freq: 2 }).map((m) => m ?? valid('unchanged', REAL[p]))))
    .map((rows) => ({ rows, eol, bom, fileMut })));

function writeInput(file: string, x: Input): void {
  const m = x.fileMut;
  const header: Cell[] = m?.badHeader ? [...HEADER.slice(0, -1), Buffer.from([0x67, 0xff])] : (m?.header ?? HEADER);
  const rows = x.rows.map((r, i) => {
    let cells = m?.extraField ? [...r.cells, '0.5'] : m?.header ? r.cells.filter((_, j) => HEADER[j] === undefined || m.header!.includes(HEADER[j])) : r.cells;
    if (i === 0 && m?.longLine) cells = [...cells.slice(0, -1), 'y'.repeat(MAX_LINE_BYTES + 1)];
    if (i === 0 && m?.strayQuote) cells = [...cells.slice(0, -1), Buffer.from('ab"c')];
    return lineBytes(cells, x.eol);
  });
  const tail = m?.unclosed ? [Buffer.from(`${x.rows.length + 1},"unclosed`)] : [];
  writeFileSync(file, Buffer.concat([x.bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), lineBytes(header, x.eol), ...rows, ...tail]));
}

const counts = { tried: 0, refused: 0, imported: 0, rowsKept: 0, rowsQuarantined: 0, byLabel: {} as Record<string, number> };

async function check(x: Input): Promise<void> {
  const { dir, cleanup } = tempDir('lakehouse-fuzz-');
  try {
    counts.tried++;
    const file = join(dir, 'fuzz-input.csv');
    writeInput(file, x);
    const lake = join(dir, 'lake');
    const r = await runCli(['ingest', 'kaggle', file, '--data-dir', lake, '--json', '--quiet']);
    assert.ok(!/\n\s+at .+:\d+:\d+/.test(r.stderr), `stack trace in stderr: ${r.stderr}`);
    for (const row of x.rows) counts.byLabel[row.label] = (counts.byLabel[row.label] ?? 0) + 1;
    if (x.fileMut) {
      counts.byLabel[x.fileMut.label] = (counts.byLabel[x.fileMut.label] ?? 0) + 1;
      assert.equal(r.code, 1, `${x.fileMut.label}: expected a refusal, got exit ${r.code}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /^error: .*fuzz-input\.csv: /, 'the refusal names the file');
      assert.ok(r.stderr.length < 1500, `refusal message of ${r.stderr.length} characters`);
      assert.deepEqual(readCatalog(lake).tables, {}, 'a refused file publishes nothing');
      counts.refused++;
      return;
    }
    assert.equal(r.code, 0, `expected an import, got exit ${r.code}: ${r.stderr}`);
    const summary = JSON.parse(r.stdout) as { rows_read: number; rows_added: number; rows_rejected: number };
    const expectValid = x.rows.map((m, i) => ({ m, row: i + 1 })).filter((e) => e.m.verdict.kind === 'valid');
    const expectInvalid = x.rows.map((m, i) => ({ m, row: i + 1 })).filter((e) => e.m.verdict.kind === 'invalid');
    assert.deepEqual([summary.rows_read, summary.rows_added, summary.rows_rejected], [x.rows.length, expectValid.length, expectInvalid.length],
      `labels: ${x.rows.map((m) => m.label).join(', ')}`);
    const config = testConfig(lake);
    const { kept, rejects } = await withReader(config, silentLogger, async (s) => ({
      kept: await relationExists(s.conn, 'bronze', 'kaggle_tracks') ? await queryRows<Record<string, unknown>>(s.conn,
        `select source_row::integer source_row, track_id, artists, album_name, track_name, track_genre, duration_ms::double duration_ms, explicit, danceability
         from bronze.kaggle_tracks order by source_row`) : [],
      rejects: await relationExists(s.conn, 'bronze', 'rejected_rows') ? await queryRows<{ source_row: number; field: string | null }>(s.conn,
        'select source_row::integer source_row, field from bronze.rejected_rows order by source_row') : [],
    }));
    assert.deepEqual(kept.map((k) => k.source_row), expectValid.map((e) => e.row), 'every valid row kept');
    for (const [i, e] of expectValid.entries()) {
      const c = e.m.cells as string[];
      const v = (name: string) => c[col(name)];
      assert.deepEqual(kept[i], {
        source_row: e.row, track_id: v('track_id').trim(), artists: v('artists'), album_name: v('album_name'), track_name: v('track_name'),
        track_genre: v('track_genre'), duration_ms: Number(v('duration_ms')), explicit: v('explicit').toLowerCase() === 'true', danceability: Number(v('danceability')),
      }, `row ${e.row} (${e.m.label}) kept unchanged`);
    }
    assert.deepEqual(rejects, expectInvalid.map((e) => ({ source_row: e.row, field: (e.m.verdict as { field: string | null }).field })), 'every invalid row quarantined, field named');
    counts.imported++;
    counts.rowsKept += kept.length;
    counts.rowsQuarantined += rejects.length;
  } finally {
    cleanup();
  }
}

test('fuzz: ingest kaggle refuses a file naming it, or keeps every valid row and quarantines every invalid one', { timeout: FUZZ_TIME_LIMIT_MS + 120_000 }, async (t) => {
  const started = Date.now();
  await fc.assert(fc.asyncProperty(input, check), { numRuns: FUZZ_RUNS, interruptAfterTimeLimit: FUZZ_TIME_LIMIT_MS });
  const line = `kaggle fuzz: ${counts.tried} inputs tried in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts.refused} refused, `
    + `${counts.imported} imported (${counts.rowsKept} rows kept, ${counts.rowsQuarantined} quarantined)`;
  t.diagnostic(line);
  t.diagnostic(`mutations: ${JSON.stringify(counts.byLabel)}`);
  console.error(line);
  assert.ok(counts.tried > 0);
});
