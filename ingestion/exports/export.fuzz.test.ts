// Property-based fuzzing of `lakehouse ingest export` over windows of the real export files
// (../shared/data/history). fast-check mutates them (stray elements, out-of-range numbers, wrong
// types, duplicate keys, missing keys, truncation, garbage bytes) and one invariant must hold for
// every input: the command either refuses the file with an error that starts with its path, or
// imports it with every record accounted for: stored, quarantined in bronze.rejected_rows, or a
// duplicate of a stored play. Records a mutation made invalid must be quarantined, untouched and
// harmlessly changed records must be kept. Runs: LAKEHOUSE_FUZZ_RUNS (default 30, about a minute at
// most in `npm test`); `npm run fuzz` runs 2000.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { historyDir, runCli, tempDir, testConfig } from '../../test/helpers.ts';
import { silentLogger } from '../../lib/logger.ts';
import { withReader } from '../../lib/session.ts';
import { queryRows } from '../../lib/duckdb.ts';
import { ALL_KEYS, detectFormat } from './formats.ts';

const RUNS = Number(process.env.LAKEHOUSE_FUZZ_RUNS ?? 30);
/** Without an explicit run count (plain `npm test`) the suite stops generating after this long. */
const TIME_LIMIT_MS = process.env.LAKEHOUSE_FUZZ_RUNS ? undefined : 50_000;

type Rec = Record<string, unknown>;
interface Source { name: string; account: boolean; records: Rec[] }
const SOURCES: Source[] = readdirSync(historyDir).flatMap((d) => readdirSync(join(historyDir, d)).map((f) => {
  const records = JSON.parse(readFileSync(join(historyDir, d, f), 'utf8')) as Rec[];
  return { name: f, account: 'endTime' in records[0], records };
}));

/** One array element as written: a record's key/value pairs (a key may repeat) or any other JSON text. */
type Element = { pairs: [string, string][] } | { text: string };
/** What must become of an element: kept (stored or a duplicate) or quarantined with one of these fields. */
type Verdict = 'keep' | { fields: (string | null)[] };

const STRAYS = fc.oneof(fc.integer().map(String), fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)), fc.constantFrom('null', 'true', 'false', '[]', '[1,2]', '[{"ip_addr":"203.0.113.5"}]', '[[]]'));
const BAD_MS = fc.constantFrom('-1', '86400001', '9.2e15', '1e30', '-1e30', '9223372036854775807', '99999999999999999999999', '1.5', '"abc"', '"0x10"', 'true', 'null', '{}', '[]', '"1_000"');
const future = (account: boolean) => {
  const iso = new Date(Date.now() + 3 * 86_400_000).toISOString();
  return JSON.stringify(account ? iso.slice(0, 16).replace('T', ' ') : iso.replace(/\.\d+Z$/, 'Z'));
};
const BAD_TS = (account: boolean) => [
  ...(account ? ['"0001-01-01 00:00"', '"9999-12-31 23:59"', '"2005-12-31 23:59"'] : ['"0001-01-01T00:00:00Z"', '"9999-12-31T23:59:59Z"', '"2005-12-31T23:59:59Z"']),
  future(account), '"garbage"', '12345', 'null', 'true', '{}', '[]'];
const ODD_TEXT = fc.constantFrom('42', 'true', '{"x":1}', '[1]', '""', '"  "', '"\\u0000"', '"é\\"q"');

const mutation = fc.oneof(
  fc.record({ op: fc.constant('stray' as const), at: fc.nat(), text: STRAYS }),
  fc.record({ op: fc.constant('ms' as const), at: fc.nat(), value: BAD_MS }),
  fc.record({ op: fc.constant('ts' as const), at: fc.nat(), pick: fc.nat() }),
  fc.record({ op: fc.constant('dupKey' as const), at: fc.nat(), key: fc.nat(), value: fc.oneof(BAD_MS, ODD_TEXT) }),
  fc.record({ op: fc.constant('dropTs' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('oddText' as const), at: fc.nat(), value: ODD_TEXT }),
  fc.record({ op: fc.constant('extraKey' as const), at: fc.nat(), key: fc.string({ minLength: 1, maxLength: 12 }), value: fc.oneof(ODD_TEXT, BAD_MS) }),
  fc.record({ op: fc.constant('badBool' as const), at: fc.nat(), value: fc.constantFrom('"yes"', '1', '0', '""', '{}', '[true]') }),
);
const fileMutation = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), frac: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ op: fc.constant('garbage' as const), frac: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
  fc.record({ op: fc.constant('flip' as const), frac: fc.double({ min: 0, max: 1, noNaN: true }), byte: fc.integer({ min: 0, max: 255 }) }),
);
const input = fc.record({
  source: fc.nat(), start: fc.nat(), length: fc.integer({ min: 1, max: 1500 }),
  mutations: fc.array(mutation, { maxLength: 6 }),
  file: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fileMutation }),
});

const keysOf = (account: boolean) => ({ ts: account ? 'endTime' : 'ts', ms: account ? 'msPlayed' : 'ms_played', text: account ? 'trackName' : 'master_metadata_track_name' });

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

/** Applies the record mutations; returns the elements and what must become of each. */
function build(src: Source, records: Rec[], mutations: Mutation[]) {
  const elements: Element[] = records.map((r) => ({ pairs: Object.entries(r).map(([k, v]) => [k, JSON.stringify(v)] as [string, string]) }));
  const verdicts: Verdict[] = elements.map(() => 'keep');
  const k = keysOf(src.account);
  const reject = (i: number, field: string | null) => {
    const v = verdicts[i];
    verdicts[i] = { fields: [...(v === 'keep' ? [] : v.fields), field] };
  };
  // A new value replaces the key's value where it stands, every occurrence of it: a key an earlier
  // dupKey repeated stays repeated (its reject stands). Dropping a key drops every occurrence (the
  // record is rejected for that key anyway).
  const set = (e: Element, key: string, value: string | null) => {
    if (!('pairs' in e)) return;
    if (value === null) e.pairs = e.pairs.filter(([x]) => x !== key);
    else if (e.pairs.some(([x]) => x === key)) e.pairs = e.pairs.map(([x, v]) => [x, x === key ? value : v]);
    else e.pairs = [...e.pairs, [key, value]];
  };
  for (const m of mutations) {
    const i = m.at % (elements.length + (m.op === 'stray' ? 1 : 0));
    if (m.op === 'stray') {
      elements.splice(i, 0, { text: m.text });
      verdicts.splice(i, 0, { fields: [null] });
      continue;
    }
    const e = elements[i];
    if (!('pairs' in e)) continue;
    if (m.op === 'ms') { set(e, k.ms, m.value); reject(i, k.ms); }
    if (m.op === 'ts') { const bad = BAD_TS(src.account); set(e, k.ts, bad[m.pick % bad.length]); reject(i, k.ts); }
    if (m.op === 'dropTs') { set(e, k.ts, null); reject(i, k.ts); }
    if (m.op === 'oddText') set(e, k.text, m.value);
    if (m.op === 'dupKey') {
      const key = e.pairs[m.key % e.pairs.length][0];
      e.pairs.push([key, m.value]);
      reject(i, key);
    }
    if (m.op === 'extraKey' && !ALL_KEYS.includes(m.key) && !e.pairs.some(([x]) => x === m.key)) e.pairs.push([m.key, m.value]);
    if (m.op === 'badBool' && !src.account) { set(e, 'shuffle', m.value); reject(i, 'shuffle'); }
  }
  return { elements, verdicts };
}

const render = (elements: Element[]) => `[\n${elements.map((e) => ('text' in e ? e.text : `{${e.pairs.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}`)).join(',\n')}\n]`;

/** The dedup key bronze uses (played_at, track key, ms_played), computed independently from a parsed record. */
function playKey(r: Rec): string {
  const t = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  const playedAt = typeof r.ts === 'string' ? new Date(r.ts).toISOString() : String(r.endTime);
  const id = typeof r.spotify_track_uri === 'string' ? /^spotify:track:([A-Za-z0-9]+)$/.exec(r.spotify_track_uri)?.[1] : undefined;
  const episode = t(r.episode_name) ?? t(r.episodeName);
  const track = id ?? t(r.spotify_episode_uri) ?? t(r.audiobook_chapter_uri) ?? t(r.audiobook_uri)
    ?? (episode !== null || 'podcastName' in r ? `episode:${(t(r.episode_show_name) ?? t(r.podcastName) ?? '').toLowerCase()}|${(episode ?? '').toLowerCase()}`
      : `name:${(t(r.master_metadata_album_artist_name) ?? t(r.artistName) ?? '').toLowerCase()}|${(t(r.master_metadata_track_name) ?? t(r.trackName) ?? '').toLowerCase()}`);
  return `${playedAt}|${track}|${Number(r.ms_played ?? r.msPlayed)}`;
}

const counts = { tried: 0, refused: 0, imported: 0, records: 0, kept: 0, duplicates: 0, quarantined: 0 };

test('fuzzed real export files are refused naming the file, or imported with every record kept or quarantined', async (t) => {
  const { dir, cleanup } = tempDir('lakehouse-fuzz-');
  const saved = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'silent';
  try {
    await fc.assert(fc.asyncProperty(input, async (inp) => {
      const run = counts.tried++;
      const src = SOURCES[inp.source % SOURCES.length];
      const start = inp.start % src.records.length;
      const { elements, verdicts } = build(src, src.records.slice(start, start + inp.length), inp.mutations);
      let bytes = Buffer.from(render(elements));
      const fm = inp.file;
      if (fm?.op === 'truncate') bytes = bytes.subarray(0, Math.min(bytes.length - 1, Math.floor(fm.frac * bytes.length)));
      if (fm?.op === 'garbage') { const at = Math.floor(fm.frac * bytes.length); bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(fm.bytes), bytes.subarray(at)]); }
      if (fm?.op === 'flip') { bytes = Buffer.from(bytes); bytes[Math.min(bytes.length - 1, Math.floor(fm.frac * bytes.length))] = fm.byte; }
      const runDir = join(dir, `r${run}`);
      mkdirSync(join(runDir, 'in'), { recursive: true });
      const file = join(runDir, 'in', src.name);
      writeFileSync(file, bytes);
      const lake = join(runDir, 'lake');
      const res = await runCli(['ingest', 'export', file, '--listener', 'fuzz', '--data-dir', lake, '--json']);

      if (res.code !== 0) {
        // Refused: exit 1, one line naming the file first, never a stack trace or a bare engine message.
        assert.equal(res.code, 1, res.stderr);
        assert.ok(res.stderr.startsWith(`error: ${file}: `), `the error must start with the file: ${res.stderr}`);
        assert.ok(!/\n\s+at /.test(res.stderr), `stack trace in: ${res.stderr}`);
        const recognisable = elements.some((e) => 'pairs' in e && detectFormat(e.pairs.map(([key]) => key)) !== null);
        assert.ok(fm !== null || !recognisable, `an input without byte damage must be imported, got: ${res.stderr}`);
        counts.refused++;
        return;
      }
      assert.ok(fm?.op !== 'truncate', 'a truncated file must be refused');
      let parsed: unknown[] | null = null;
      try { parsed = JSON.parse(bytes.toString('utf8')) as unknown[]; } catch { parsed = null; }
      const summary = JSON.parse(res.stdout) as { records: number; rows_added: number; rows_rejected: number; duplicates_skipped: number };
      const { kept, rejected } = await withReader(testConfig(lake), silentLogger, async (s) => ({
        kept: new Set((await queryRows<{ r: number }>(s.conn, 'select source_row::integer as r from bronze.listening_history')).map((x) => x.r)),
        rejected: new Map((await queryRows<{ r: number; field: string | null }>(s.conn, 'select source_row::integer as r, field from bronze.rejected_rows')).map((x) => [x.r, x.field])),
      }));
      counts.imported++;
      counts.records += summary.records;
      counts.kept += summary.rows_added;
      counts.duplicates += summary.duplicates_skipped;
      counts.quarantined += summary.rows_rejected;
      assert.equal(kept.size, summary.rows_added);
      assert.equal(rejected.size, summary.rows_rejected);
      if (parsed) assert.equal(summary.records, parsed.length, 'every element is counted');
      else assert.ok(fm !== null, 'only byte damage can make a file JSON.parse refuses');
      const firstOfKey = new Map<string, number>();
      for (let p = 1; p <= summary.records; p++) {
        assert.ok(!(kept.has(p) && rejected.has(p)), `position ${p} both stored and quarantined`);
        const expected = fm ? null : verdicts[p - 1];
        const element = parsed?.[p - 1];
        if (expected && expected !== 'keep') {
          assert.ok(rejected.has(p), `position ${p} must be quarantined (${JSON.stringify(expected)})`);
          assert.ok(expected.fields.includes(rejected.get(p) ?? null), `position ${p}: field ${rejected.get(p)} not among ${JSON.stringify(expected.fields)}`);
        }
        if (expected === 'keep') assert.ok(!rejected.has(p), `position ${p} was valid but quarantined as ${rejected.get(p)}`);
        if (element !== null && typeof element === 'object' && !Array.isArray(element) && !rejected.has(p)) {
          const key = playKey(element as Rec);
          if (!kept.has(p)) assert.ok(firstOfKey.has(key), `position ${p} silently lost: neither stored, quarantined nor a duplicate`);
          else if (!firstOfKey.has(key)) firstOfKey.set(key, p);
        } else if (!kept.has(p)) {
          assert.ok(rejected.has(p) || parsed === null, `position ${p} silently lost`);
        }
        if (parsed === null) assert.ok(kept.has(p) || rejected.has(p) || summary.duplicates_skipped > 0, `position ${p} silently lost`);
      }
    }), { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, seed: process.env.LAKEHOUSE_FUZZ_SEED ? Number(process.env.LAKEHOUSE_FUZZ_SEED) : undefined });
  } finally {
    process.env.LOG_LEVEL = saved;
    if (saved === undefined) delete process.env.LOG_LEVEL;
    cleanup();
    const line = `export fuzz: ${counts.tried} inputs tried, ${counts.refused} refused, ${counts.imported} imported (${counts.records} records: ${counts.kept} kept, ${counts.duplicates} duplicates, ${counts.quarantined} quarantined)`;
    t.diagnostic(line);
    console.error(line);
  }
  assert.ok(counts.tried > 0);
});
