import type { Db } from './db.ts';

/**
 * Failed-login counters (login_throttle), shared by every backend instance through the database.
 * A key is "user:<username>" or "ip:<address>".
 */
export class LoginThrottleRepository {
  constructor(private readonly db: Db) {}

  /** The latest lock among `keys` still in force at `now`, or null. */
  async lockedUntil(keys: readonly string[], now: Date): Promise<Date | null> {
    const rows = await this.db.prisma.loginThrottle.findMany({
      where: { key: { in: [...keys] }, lockedUntil: { gt: now } },
      select: { lockedUntil: true },
    });
    let latest: Date | null = null;
    for (const r of rows) if (r.lockedUntil && (!latest || r.lockedUntil > latest)) latest = r.lockedUntil;
    return latest;
  }

  /**
   * Counts one more failure of `key` and returns the count. Failures older than `windowMs` (and
   * not under a lock) are forgotten first. One increment in the database: instances do not race.
   */
  async fail(key: string, now: Date, windowMs: number): Promise<number> {
    const p = this.db.prisma.loginThrottle;
    await p.updateMany({
      where: {
        key,
        lastFailureAt: { lt: new Date(now.getTime() - windowMs) },
        OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }],
      },
      data: { failures: 0, lockedUntil: null },
    });
    const bump = () =>
      p.upsert({
        where: { key },
        create: { key, failures: 1, lastFailureAt: now },
        update: { failures: { increment: 1 }, lastFailureAt: now },
        select: { failures: true },
      });
    // Two instances creating the same row at once: the loser's insert fails, its retry updates.
    const r = await bump().catch(() => bump());
    return r.failures;
  }

  async lock(key: string, until: Date): Promise<void> {
    await this.db.prisma.loginThrottle.update({ where: { key }, data: { lockedUntil: until } });
  }

  /** Forgets the failures (and any lock) of these keys; returns how many had some. */
  async clear(keys: readonly string[]): Promise<number> {
    const r = await this.db.prisma.loginThrottle.deleteMany({ where: { key: { in: [...keys] } } });
    return r.count;
  }
}
