/**
 * Runs the backend's periodic jobs, each period once across every instance, under a lease held
 * in the database (job-lease.repository.ts).
 *
 * - Cron jobs fire on every instance (node-cron, cron.repository.ts); the tick's scheduled minute
 *   is the period, the same on every instance, so only the first to acquire runs it and the
 *   others find it done. Interval jobs (the notification dispatcher) use the interval slot.
 * - While a job runs its lease is renewed every ttl/3; a holder that dies stops renewing, its
 *   lease expires, and the orphan check (every ttl/2) on another instance runs that period again.
 * - `runNow` runs a job on demand under the same lease (a fresh period), refused while it runs.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.ts';
import type { CronPort } from './cron.repository.ts';
import type { JobLeaseRepository, LeaseRow } from './job-lease.repository.ts';
import { failed, type JobOutcome } from './job-outcome.ts';

export type JobSchedule = { cron: string; timeZone: string } | { everyMs: number };

export type JobDefinition = {
  name: string;
  description: string;
  schedule: JobSchedule;
  /** The job's work; the period says which tick this is ('2026-12-01T00:00', 'manual:…'). */
  run(period: string): Promise<JobOutcome>;
};

export type JobStatus = {
  name: string;
  description: string;
  schedule: JobSchedule;
  nextRunAt: string | null;
  running: boolean;
  holder: string | null;
  lastPeriod: string | null;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastOutcome: JobOutcome | null;
  runs: number;
};

export type RunResult = { ran: true; outcome: JobOutcome } | { ran: false; reason: string };

/** The period key of a cron tick: its scheduled minute, UTC. */
export function cronPeriod(at: Date): string {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString().slice(0, 16);
}

/**
 * The instant a period stands for: a cron tick's scheduled minute (so a retried or taken-over run
 * reports on the day its tick was for, not the day it finally ran), else `fallbackMs` (manual runs).
 */
export function periodTime(period: string, fallbackMs: number): number {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(period) ? Date.parse(`${period}:00.000Z`) : fallbackMs;
}

export function intervalPeriod(nowMs: number, everyMs: number): string {
  return `every:${new Date(Math.floor(nowMs / everyMs) * everyMs).toISOString()}`;
}

export class JobRunner {
  /** Unique per process, even when instances share INSTANCE_ID. */
  readonly holder: string;
  private readonly jobs = new Map<string, JobDefinition>();
  private readonly running = new Map<string, Promise<RunResult>>();
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly o: {
      leases: JobLeaseRepository;
      cron: CronPort;
      instanceId: string;
      ttlMs: number;
      log: Logger;
      now?: () => number;
      /** A failed cron period is run again after this long (until the next period starts). */
      retryAfterMs?: number;
    },
  ) {
    this.holder = `${o.instanceId}:${randomUUID().slice(0, 8)}`;
  }

  private now(): Date {
    return new Date((this.o.now ?? Date.now)());
  }

  register(job: JobDefinition): void {
    // A plain Error on purpose: a programming mistake at start-up, never a client's doing.
    if (this.jobs.has(job.name)) throw new Error(`job ${job.name} registered twice`);
    this.jobs.set(job.name, job);
  }

  names(): string[] {
    return [...this.jobs.keys()];
  }

  /** Schedules every job, and the check for jobs whose holder died. */
  start(): void {
    for (const job of this.jobs.values()) {
      const s = job.schedule;
      if ('cron' in s) {
        this.o.cron.schedule(job.name, s.cron, s.timeZone, (at) => this.fire(job.name, cronPeriod(at)));
      } else {
        const t = setInterval(
          () => this.fire(job.name, intervalPeriod(this.now().getTime(), s.everyMs)),
          s.everyMs,
        );
        t.unref();
        this.timers.push(t);
      }
    }
    const check = setInterval(
      () => {
        this.recoverOrphans().catch((err: unknown) => this.o.log.warn({ err }, 'orphan check failed'));
      },
      Math.max(1000, Math.floor(this.o.ttlMs / 2)),
    );
    check.unref();
    this.timers.push(check);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.o.cron.stopAll();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.allSettled([...this.running.values()]);
  }

  private fire(name: string, period: string): void {
    if (this.stopped) return;
    this.tick(name, period).catch((err: unknown) => this.o.log.error({ err, job: name }, 'job tick failed'));
  }

  /** One tick of a job's period: runs it if this instance acquires the lease. */
  tick(name: string, period: string): Promise<RunResult> {
    const job = this.jobs.get(name);
    if (!job) return Promise.resolve({ ran: false, reason: `no job ${name}` });
    if (this.running.has(name)) return Promise.resolve({ ran: false, reason: 'already running here' });
    const p = this.runLeased(job, period).finally(() => this.running.delete(name));
    this.running.set(name, p);
    return p;
  }

  /** Runs the job now under its lease (a period of its own). */
  runNow(name: string): Promise<RunResult> {
    return this.tick(name, `manual:${this.now().toISOString()}`);
  }

  /** Periods claimed by an instance that died (lease expired, not done) are run here. */
  async recoverOrphans(): Promise<RunResult[]> {
    const orphans = await this.o.leases.orphans(this.names(), this.now());
    const out: RunResult[] = [];
    for (const o of orphans) {
      this.o.log.warn({ job: o.name, period: o.period }, 'job holder died; taking the period over');
      out.push(await this.tick(o.name, o.period));
    }
    return out;
  }

  private async runLeased(job: JobDefinition, period: string): Promise<RunResult> {
    const { leases, ttlMs, log } = this.o;
    if (!(await leases.acquire(job.name, this.holder, period, this.now(), ttlMs))) {
      log.debug({ job: job.name, period }, 'job lease held elsewhere, or the period is done');
      return { ran: false, reason: 'lease held elsewhere, or the period is done' };
    }
    const renew = setInterval(
      () => {
        leases
          .renew(job.name, this.holder, this.now(), ttlMs)
          .then((ok) => {
            if (!ok) log.warn({ job: job.name, period }, 'job lease lost while running');
          })
          .catch((err: unknown) => log.warn({ err, job: job.name }, 'job lease renewal failed'));
      },
      Math.max(200, Math.floor(ttlMs / 3)),
    );
    let outcome: JobOutcome;
    try {
      outcome = await job.run(period);
    } catch (err) {
      outcome = failed(err);
    } finally {
      clearInterval(renew);
    }
    // A cron period is owed (a day's report, a month's close): a failure is retried. An interval
    // job's next tick is its retry.
    const retryAt =
      outcome.status === 'Failed' && 'cron' in job.schedule
        ? new Date(this.now().getTime() + (this.o.retryAfterMs ?? 10 * 60_000))
        : undefined;
    const kept = await leases.finish(job.name, this.holder, period, this.now(), outcome, retryAt);
    const line = { job: job.name, period, outcome, holder: this.holder, retryAt };
    if (outcome.status === 'Failed') log.error(line, 'job failed');
    else if (outcome.status === 'Skipped') log.debug(line, 'job skipped');
    else log.info(line, 'job done');
    if (!kept) log.warn(line, 'job finished after its lease was taken over');
    return { ran: true, outcome };
  }

  async status(): Promise<JobStatus[]> {
    const rows = new Map<string, LeaseRow>((await this.o.leases.list()).map((r) => [r.name, r]));
    const now = this.now();
    return [...this.jobs.values()].map((j) => {
      const r = rows.get(j.name);
      return {
        name: j.name,
        description: j.description,
        schedule: j.schedule,
        nextRunAt: 'cron' in j.schedule ? (this.o.cron.nextRun(j.name)?.toISOString() ?? null) : null,
        running: r !== undefined && !r.done && r.holder !== null && r.expiresAt > now,
        holder: r?.holder ?? null,
        lastPeriod: r?.period ?? null,
        lastStartedAt: r?.startedAt?.toISOString() ?? null,
        lastFinishedAt: r?.finishedAt?.toISOString() ?? null,
        lastOutcome: r?.outcome ?? null,
        runs: r?.runs ?? 0,
      };
    });
  }
}
