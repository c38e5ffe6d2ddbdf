// `lakehouse run --demo` as a person sees it, in a real pseudo-terminal (util-linux `script`): one
// line per table, a summary naming a planted warning, and Ctrl-C mid-run stopping cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { historyDir, repoRoot, runCli, tempDir } from '../test/helpers.ts';
import { LOCK_FILE } from '../lib/lock.ts';

const hasScript = spawnSync('script', ['--version']).status === 0;
const ANSI = /\u001B\[[0-9;?]*[A-Za-z]/g;
const SHOW_CURSOR = '\u001B[?25h';

interface Pty {
  output: () => string;
  write: (s: string) => void;
  exited: Promise<number>;
}

/** Runs the CLI in a 120-column pseudo-terminal; output is what the terminal received. */
function inPty(args: string[]): Pty {
  const cmd = ['stty cols 120 rows 50;', 'exec', process.execPath, join(repoRoot, 'bin', 'lakehouse.js'), ...args.map((a) => `'${a}'`)].join(' ');
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
    cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'info', NO_COLOR: '', TERM: 'xterm-256color' }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return {
    output: () => out,
    write: (s) => void child.stdin.write(s),
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1))),
  };
}

/** The terminal's text without escape sequences, spinner frames and carriage returns. */
function screenText(raw: string): string {
  // The spinner returns to column 1 (CSI 1G) and redraws: keep what was written last on each line.
  return raw.replace(/\u001B\[1G/g, '\r').replace(ANSI, '').split(/\r?\n/).map((l) => l.split('\r').at(-1)!).join('\n');
}

async function waitFor(pty: Pty, re: RegExp, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!re.test(screenText(pty.output()))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${re}; terminal so far:\n${screenText(pty.output()).slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('run --demo on a terminal: one line per table, the summary names the planted synthetic-share warning; Ctrl-C aborts cleanly', { skip: !hasScript && 'util-linux script is not installed', timeout: 600_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    // Planted: a real listener whose tracks the demo catalog does not know, so nearly all of their
    // features are synthetic, while the three demo listeners stay far below 50 %.
    const planted = await runCli(['ingest', 'export', join(historyDir, 'Khushi-203006__Spotify_Data_Analysis_Project', 'Streaming_History_Audio_2023.json'), '--listener', 'planted', '--data-dir', dir, '-q']);
    assert.equal(planted.code, 0, planted.stderr);

    const full = inPty(['run', '--demo', '--data-dir', dir]);
    const code = await full.exited;
    const text = screenText(full.output());
    assert.equal(code, 0, text.slice(-3000));
    const numbered = [...text.matchAll(/^\s+(\d+) of (\d+)\s+((?:silver|gold)\.\w+) \.{3,}\s+[\d,]+ rows?\s+\d+\.\d\d s$/gm)];
    const total = Number(numbered[0]?.[2]);
    assert.ok(total >= 20, `numbered table lines:\n${text}`);
    assert.deepEqual(numbered.map((m) => Number(m[1])), Array.from({ length: total }, (_, i) => i + 1), 'one line per table, numbered 1 of N … N of N');
    assert.equal(new Set(numbered.map((m) => m[3])).size, total, 'no table twice');
    assert.match(text, /^\s+ingest\s+bronze\.kaggle_tracks \.+\s+[\d,]+ rows/m, 'ingested tables get a line too');
    const summary = text.slice(text.lastIndexOf('succeeded in'));
    assert.match(summary, /synthetic_share_listener on silver\.listening_with_features\.listener_id: listeners with more than 50 % of their plays with features from synthetic values: planted \d+(\.\d)? %/);
    assert.doesNotMatch(summary, /demo-(amsterdam|newyork|tokyo) \d/, 'only the listener above 50 % is named');
    assert.match(summary, /Next:\n\s+\$ lakehouse tables/);

    const interrupted = inPty(['run', '--demo', '--data-dir', dir]);
    // The demo inputs are already in bronze (nothing new to ingest): stop it once silver is written.
    await waitFor(interrupted, /\d+ of \d+\s+silver\.listening_with_features \.+/, 120_000);
    interrupted.write('\u0003'); // Ctrl-C typed on the terminal: the line discipline sends SIGINT
    const abortedCode = await interrupted.exited;
    const raw = interrupted.output();
    assert.equal(abortedCode, 130, screenText(raw).slice(-2000));
    assert.ok(raw.lastIndexOf(SHOW_CURSOR) > raw.indexOf('interrupted by Ctrl-C'), 'the cursor is shown again after the interrupt');
    assert.match(screenText(raw), /aborted/);

    const runs = await runCli(['query', '--json', '--data-dir', dir, 'select status, error from ops.pipeline_runs order by started_at']);
    const rows = JSON.parse(runs.stdout) as { status: string; error: string }[];
    assert.deepEqual(rows.map((r) => r.status), ['succeeded', 'aborted']);
    assert.match(rows[1].error, /Ctrl-C/);
    assert.equal(existsSync(join(dir, LOCK_FILE)), false, 'the lock is released');
    const staging = ['bronze', 'silver', 'gold', 'ops'].flatMap((l) => existsSync(join(dir, l)) ? readdirSync(join(dir, l)).flatMap((t) => readdirSync(join(dir, l, t)).filter((e) => e.startsWith('.tmp-'))) : []);
    assert.deepEqual(staging, [], 'no staging folder is left');
  } finally {
    cleanup();
  }
});
