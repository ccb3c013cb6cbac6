/**
 * Skips that say why. A suite or test skipped for a missing prerequisite gets its reason in its
 * metadata (inherited by every test inside it); skip-notice.reporter.ts counts the skipped tests at
 * the end of the run, grouped by reason. Keep reasons stable strings: they are the groups.
 */
import type { TestOptions } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** Why this test (or its suite) was skipped. */
    skipReason?: string;
  }
}

/**
 * Options for `describe(name, options, fn)` or `it(name, options, fn)`: skipped, with the first
 * reason given, when any reason is set; run otherwise.
 */
export function skipNotice(...reasons: Array<string | undefined>): TestOptions {
  const reason = reasons.find((r) => r !== undefined);
  return reason === undefined ? {} : { skip: true, meta: { skipReason: reason } };
}

export const PG_MISSING = process.env.PG_TEST_URL
  ? undefined
  : 'PG_TEST_URL not set: PostgreSQL variants skipped (see README, Tests)';
