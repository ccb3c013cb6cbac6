/**
 * Prints, after vitest's own summary, one block: how many tests were skipped and why, grouped by
 * the reason given with skipNotice (skip-notice.ts) or `ctx.skip(note)`. The total counts what
 * vitest counts as skipped (todo tests are vitest's own line), so the two numbers agree.
 */
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';

export const NO_REASON = 'skipped without a stated reason';

/** What the count needs of one test. */
export interface SkipEntry {
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  mode: 'run' | 'only' | 'skip' | 'todo';
  reason?: string | undefined;
}

export interface SkipCount {
  total: number;
  /** Reason -> skipped tests, largest group first. */
  byReason: Array<[string, number]>;
}

export function countSkips(tests: Iterable<SkipEntry>): SkipCount {
  const groups = new Map<string, number>();
  let total = 0;
  for (const t of tests) {
    if (t.state !== 'skipped' || t.mode === 'todo') continue;
    total++;
    const reason = t.reason || NO_REASON;
    groups.set(reason, (groups.get(reason) ?? 0) + 1);
  }
  const byReason = [...groups].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return { total, byReason };
}

export function formatSkipNotice(c: SkipCount): string[] {
  if (c.total === 0) return ['Skipped: none'];
  return [
    `Skipped: ${c.total} ${c.total === 1 ? 'test' : 'tests'}`,
    ...c.byReason.map(([reason, n]) => `  ${String(n).padStart(4)}  ${reason}`),
  ];
}

/**
 * Why a test was skipped: the reason of the outermost skipped suite around it (that skip is what
 * took effect, whatever an inner suite or the test would have said), else its own, else the note
 * of a skip at run time.
 */
export function skipReasonOf(t: TestCase): string | undefined {
  let outer: string | undefined;
  for (let p = t.parent; p.type === 'suite'; p = p.parent) {
    if (p.options.mode === 'skip') outer = p.meta().skipReason ?? outer;
  }
  const r = t.result();
  return outer ?? t.meta().skipReason ?? (r.state === 'skipped' ? r.note : undefined);
}

export function* skipEntries(modules: readonly TestModule[]): Generator<SkipEntry> {
  for (const m of modules) {
    for (const t of m.children.allTests()) {
      yield { state: t.result().state, mode: t.options.mode, reason: skipReasonOf(t) };
    }
  }
}

export class SkipNoticeReporter implements Reporter {
  private log: (line: string) => void = (line) => console.log(line);

  onInit(vitest: Vitest): void {
    this.log = (line) => vitest.logger.log(line);
  }

  onTestRunEnd(modules: readonly TestModule[]): void {
    const lines = formatSkipNotice(countSkips(skipEntries(modules)));
    this.log('');
    for (const l of lines) this.log(l);
  }
}
