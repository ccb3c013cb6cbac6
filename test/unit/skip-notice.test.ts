/**
 * The skip notice printed at the end of `npm test` (test/support/skip-notice.reporter.ts): its count
 * is vitest's own skipped count, grouped by the reason each skip gave. Checked on the counting alone,
 * and on a real vitest run of test/fixtures/skip-notice against vitest's JSON report of that run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, ROOT } from '../support/proc.ts';
import { countSkips, formatSkipNotice, NO_REASON, type SkipEntry } from '../support/skip-notice.reporter.ts';

describe('counting skips', () => {
  it('counts skipped tests only (not todo), grouped by reason, largest group first', () => {
    const tests: SkipEntry[] = [
      { state: 'passed', mode: 'run' },
      { state: 'failed', mode: 'run', reason: 'ignored: it ran' },
      { state: 'skipped', mode: 'skip', reason: 'PG_TEST_URL not set' },
      { state: 'skipped', mode: 'skip', reason: 'no ffmpeg' },
      { state: 'skipped', mode: 'skip', reason: 'PG_TEST_URL not set' },
      { state: 'skipped', mode: 'run', reason: 'skipped at run time' },
      { state: 'skipped', mode: 'skip' },
      { state: 'skipped', mode: 'todo' },
    ];
    const c = countSkips(tests);
    expect(c.total).toBe(5);
    expect(c.byReason).toEqual([
      ['PG_TEST_URL not set', 2],
      ['no ffmpeg', 1],
      ['skipped at run time', 1],
      [NO_REASON, 1],
    ]);
    expect(formatSkipNotice(c)).toEqual([
      'Skipped: 5 tests',
      '     2  PG_TEST_URL not set',
      '     1  no ffmpeg',
      '     1  skipped at run time',
      `     1  ${NO_REASON}`,
    ]);
    expect(formatSkipNotice(countSkips([{ state: 'passed', mode: 'run' }]))).toEqual(['Skipped: none']);
  });
});

describe('the notice at the end of a real run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skip-notice-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints as many skipped tests as vitest counts, grouped by reason', () => {
    const json = join(dir, 'report.json');
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--config',
        'test/fixtures/skip-notice/vitest.config.ts',
      ],
      {
        cwd: ROOT,
        env: childEnv({ SKIP_NOTICE_JSON: json, NO_COLOR: '1' }),
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      numPassedTests: number;
      numPendingTests: number;
      numTodoTests: number;
    };
    expect(report).toMatchObject({ numPassedTests: 2, numPendingTests: 9, numTodoTests: 1 });

    const lines = r.stdout.split('\n');
    const start = lines.findIndex((l) => l.startsWith('Skipped: '));
    expect(start, r.stdout).toBeGreaterThanOrEqual(0);
    expect(lines[start]).toBe(`Skipped: ${report.numPendingTests} tests`);
    const groups = new Map<string, number>();
    for (const l of lines.slice(start + 1)) {
      const m = /^ +(\d+) {2}(.+)$/.exec(l);
      if (!m) break;
      groups.set(m[2] as string, Number(m[1]));
    }
    expect(Object.fromEntries(groups)).toEqual({
      'reason one': 5,
      'reason three': 2,
      'reason two': 1,
      [NO_REASON]: 1,
    });
    expect([...groups.values()].reduce((a, b) => a + b, 0)).toBe(report.numPendingTests);
  });
});
