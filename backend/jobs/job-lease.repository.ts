/**
 * Job leases in the database (table `job_lease`), so that with several backend instances each
 * period of a job runs once.
 *
 * - acquire(period): a conditional INSERT (the first run ever), else a conditional UPDATE that
 *   matches only when the lease is free (expires_at passed: released or its holder died) and
 *   the period was not already done. SQLite serialises writers; PostgreSQL re-checks the WHERE
 *   of a concurrent UPDATE on the locked row (READ COMMITTED), so exactly one caller gets
 *   count = 1 either way.
 * - renew: extends expires_at while the holder still holds it.
 * - finish: records the outcome, marks the period done and frees the lease (expires_at = now).
 * - A holder that dies leaves done = false and an expiring lease: `orphans` finds it, and another
 *   instance re-runs that period (jobs are idempotent).
 * - A failed run of a job that owes its period (a cron job) is left not done, with no holder and
 *   expires_at at its retry time: `orphans` then finds it and it runs again; a new period may take
 *   the row meanwhile (a failed period is retried until the next one starts).
 */

import { isUniqueViolation } from '../notifications/notification.repository.ts';
import type { Db } from '../repositories/db.ts';
import type { JobOutcome } from './job-outcome.ts';

export type LeaseRow = {
  name: string;
  holder: string | null;
  expiresAt: Date;
  period: string | null;
  done: boolean;
  startedAt: Date | null;
  finishedAt: Date | null;
  outcome: JobOutcome | null;
  runs: number;
};

export class JobLeaseRepository {
  constructor(private readonly db: Db) {}

  async acquire(name: string, holder: string, period: string, now: Date, ttlMs: number): Promise<boolean> {
    const claim = {
      holder,
      expiresAt: new Date(now.getTime() + ttlMs),
      period,
      done: false,
      startedAt: now,
    };
    try {
      await this.db.prisma.jobLease.create({ data: { name, ...claim } });
      return true;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    const r = await this.db.prisma.jobLease.updateMany({
      where: {
        name,
        // Free: released, its holder died, or a failed run waiting for its retry (no holder).
        OR: [{ expiresAt: { lte: now } }, { holder: null }],
        AND: { OR: [{ period: null }, { period: { not: period } }, { done: false }] },
      },
      data: claim,
    });
    return r.count === 1;
  }

  async renew(name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const r = await this.db.prisma.jobLease.updateMany({
      where: { name, holder, done: false, expiresAt: { gt: now } },
      data: { expiresAt: new Date(now.getTime() + ttlMs) },
    });
    return r.count === 1;
  }

  /**
   * Records the run and frees the lease; false when the lease was lost meanwhile (another took over).
   * `retryAt`: the run failed and the period is owed: it stays not done and is retried from then.
   */
  async finish(
    name: string,
    holder: string,
    period: string,
    now: Date,
    outcome: JobOutcome,
    retryAt?: Date,
  ): Promise<boolean> {
    const r = await this.db.prisma.jobLease.updateMany({
      where: { name, holder, period, done: false },
      data: {
        ...(retryAt ? { done: false, holder: null, expiresAt: retryAt } : { done: true, expiresAt: now }),
        finishedAt: now,
        outcome: JSON.stringify(outcome),
        runs: { increment: 1 },
      },
    });
    return r.count === 1;
  }

  /** Jobs whose claimed period never finished and whose lease has expired: their holder died. */
  async orphans(names: readonly string[], now: Date): Promise<Array<{ name: string; period: string }>> {
    const rows = await this.db.prisma.jobLease.findMany({
      where: { name: { in: [...names] }, done: false, expiresAt: { lte: now } },
      select: { name: true, period: true },
    });
    return rows.flatMap((r) => (r.period ? [{ name: r.name, period: r.period }] : []));
  }

  async list(): Promise<LeaseRow[]> {
    const rows = await this.db.prisma.jobLease.findMany({ orderBy: { name: 'asc' } });
    return rows.map((r) => ({
      name: r.name,
      holder: r.holder,
      expiresAt: r.expiresAt,
      period: r.period,
      done: r.done,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      outcome: r.outcome ? (JSON.parse(r.outcome) as JobOutcome) : null,
      runs: r.runs,
    }));
  }
}
