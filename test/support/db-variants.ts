/** The database variants of an end-to-end suite: every kind appears, skipped ones are counted and say why. */
import { describe } from 'vitest';
import type { DbKind } from './cluster.ts';
import { PG_MISSING, skipNotice } from './skip-notice.ts';

export const ALL_DB_KINDS: readonly DbKind[] = ['sqlite', 'postgresql'];

/**
 * One suite per database kind (`%s` in the name is the kind). The PostgreSQL one is skipped
 * without PG_TEST_URL; every suite is skipped for the first other reason given, if any.
 */
export function describeEachDb(
  name: string,
  fn: (db: DbKind) => void,
  ...reasons: Array<string | undefined>
): void {
  for (const db of ALL_DB_KINDS) {
    const why = skipNotice(...reasons, db === 'postgresql' ? PG_MISSING : undefined);
    describe(name.replace('%s', db), why, () => fn(db));
  }
}
