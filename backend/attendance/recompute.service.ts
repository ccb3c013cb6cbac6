/**
 * Keeps `daily_record` up to date. Whatever can change a day (a punch committed by the ingest,
 * possibly days late from a kiosk that was offline; leave decided afterwards; an admin's
 * correction; a kiosk reporting its outbox; a calendar or schedule change) marks
 * (employee, work date) dirty. Marks are debounced and processed in batches, one batch at a
 * time; a batch reloads everything it needs from the database, so recomputing is idempotent
 * and a day is written only when its record changed. Changed days go to the follow-ups
 * (allowance adjustments for locked months, discipline cases).
 */
import type { Logger } from '../../lib/logger.ts';
import { type IsoDate, localDateOf } from '../domain/index.ts';
import type { EventRow } from '../ingest/ports.ts';
import type { BulkWriter } from './bulk-writer.repository.ts';
import { isStored } from './daily-record.mapper.ts';
import type { DailyRecordRepository } from './daily-record.repository.ts';
import type { LeaveRepository } from './leave.repository.ts';
import type { PunchRepository } from './punch.repository.ts';
import { computeDayChanges, type DayChange, type PunchOnDate, punchDates } from './recompute-days.ts';
import type { RulesConfigRepository } from './rules-config.repository.ts';
import type { RulesContextService } from './rules-context.service.ts';
import { DEFAULT_SITE, type RulesContext, recheckFrom, siteOf } from './rules-context.ts';

export type { DayChange } from './recompute-days.ts';

export type FollowUp = (changes: readonly DayChange[], ctx: RulesContext) => Promise<void>;

export type RecomputeOptions = {
  context: RulesContextService;
  config: RulesConfigRepository;
  punches: PunchRepository;
  leaves: LeaveRepository;
  days: DailyRecordRepository;
  writer: BulkWriter;
  followUp: FollowUp;
  log: Logger;
  debounceMs?: number;
  /**
   * Run a slice's follow-ups while the next slice is read and computed (at most one in flight).
   * Only where writes are asynchronous (PostgreSQL): SQLite's bulk writer is synchronous, and a
   * follow-up's Prisma transaction holding the lock across an await would stall it.
   */
  overlapFollowUps?: boolean;
  now?: () => number;
};

type Waiter = { ticket: number; resolve: () => void; reject: (err: unknown) => void };
type CommittedPunch = { terminalId: string; employeeId: string; at: number };

/** A slice of a batch: ~2 000 day computations take ~0.2 s of CPU (bench:rules). */
const MAX_EMPLOYEES = 500;
const MAX_DAYS = 2000;

export class RecomputeService {
  private dirty = new Map<string, Set<IsoDate>>();
  private punches: CommittedPunch[] = [];
  private followUps: DayChange[] = [];
  private marks = 0;
  private done = 0;
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly terminalSites = new Map<string, string>();
  private readonly now: () => number;
  stats = { batches: 0, computed: 0, written: 0, failures: 0 };

  constructor(private readonly o: RecomputeOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The ingest hook: new punches, whose work date is found in the zone of the kiosk's site. */
  readonly onCommitted = (rows: readonly EventRow[]): void => {
    for (const r of rows) {
      if (!r.unknownEmployee) {
        this.punches.push({ terminalId: r.terminalId, employeeId: r.employeeId, at: r.capturedAt.getTime() });
      }
    }
    this.marks++;
    this.schedule();
  };

  /** Marks days dirty; returns a ticket for `waitFor`. */
  mark(pairs: Iterable<{ employeeId: string; dates: Iterable<IsoDate> }>): number {
    for (const { employeeId, dates } of pairs) {
      let set = this.dirty.get(employeeId);
      if (!set) {
        set = new Set();
        this.dirty.set(employeeId, set);
      }
      for (const d of dates) set.add(d);
    }
    this.marks++;
    this.schedule();
    return this.marks;
  }

  /** Marks days dirty and resolves once they are recomputed (rejects if that batch failed). */
  recomputeNow(pairs: Iterable<{ employeeId: string; dates: Iterable<IsoDate> }>): Promise<void> {
    const ticket = this.mark(pairs);
    this.kick();
    return this.waitFor(ticket);
  }

  /** Resolves when everything marked so far is processed. */
  settled(): Promise<void> {
    return this.waitFor(this.marks);
  }

  private waitFor(ticket: number): Promise<void> {
    if (this.done >= ticket) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ ticket, resolve, reject }));
  }

  /**
   * A kiosk reported its status: if it now holds back fewer punches than its previous status said
   * (its outbox drained, or it came back within a week of dropping off), the days of its site that
   * waited for them are looked at again, back to the oldest punch it held: after weeks offline in a
   * blankspot too. A status that frees nothing (repeated every 30 s) costs no look-up.
   */
  async onTerminalStatus(
    terminalId: string,
    previous: { lastStatus: string | null; lastStatusAt: Date | null } | null,
    current: { lastStatus: string; lastStatusAt: Date },
  ): Promise<void> {
    const since = recheckFrom(previous, current, this.now());
    if (since === undefined) return;
    const site = await this.siteOfTerminal(terminalId);
    if (!site) return;
    const nips = new Set(
      (await this.o.config.activeEmployees()).filter((e) => siteOf(e) === site).map((e) => e.nip),
    );
    const pending = await this.o.days.pendingDays(since, (nip) => nips.has(nip));
    if (pending.length > 0)
      this.mark(pending.map((p) => ({ employeeId: p.employeeId, dates: [p.workDate] })));
  }

  /** Stops taking batches; waits (a few seconds at most) for the one running. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined || this.running !== undefined) return;
    this.timer = setTimeout(() => this.kick(), this.o.debounceMs ?? 250);
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || this.running !== undefined) return;
    this.running = this.flush().finally(() => {
      this.running = undefined;
      if (this.dirty.size > 0 || this.punches.length > 0) this.schedule();
    });
  }

  private async flush(): Promise<void> {
    let backoff = 500;
    while (!this.stopped && (this.dirty.size > 0 || this.punches.length > 0 || this.followUps.length > 0)) {
      const upTo = this.marks;
      const punches = this.punches;
      const dirty = this.dirty;
      this.punches = [];
      this.dirty = new Map();
      try {
        const ctx = await this.o.context.load();
        await this.retryFollowUps(ctx);
        await this.process(dirty, await this.punchedDays(punches, ctx), ctx);
        this.stats.batches++;
        this.settle(upTo, null);
        backoff = 500;
      } catch (err) {
        this.stats.failures++;
        this.o.log.error({ err }, 'recompute batch failed; will retry');
        this.punches.push(...punches);
        for (const [employeeId, dates] of dirty) this.mark([{ employeeId, dates }]);
        this.settle(upTo, err);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 60_000);
      }
    }
  }

  private settle(upTo: number, err: unknown): void {
    if (err === null) this.done = Math.max(this.done, upTo);
    const ready = this.waiters.filter((w) => w.ticket <= upTo);
    this.waiters = this.waiters.filter((w) => w.ticket > upTo);
    for (const w of ready) {
      if (err === null) w.resolve();
      else w.reject(err);
    }
  }

  private async siteOfTerminal(terminalId: string): Promise<string | null> {
    let site = this.terminalSites.get(terminalId);
    if (!site) {
      site = (await this.o.config.terminalSite(terminalId)) ?? undefined;
      if (site) this.terminalSites.set(terminalId, site);
    }
    return site ?? null;
  }

  /** New punches by employee, each with its local date in the kiosk's zone (see `punchDates`). */
  private async punchedDays(
    punches: CommittedPunch[],
    ctx: RulesContext,
  ): Promise<Map<string, PunchOnDate[]>> {
    const out = new Map<string, PunchOnDate[]>();
    for (const p of punches) {
      // The cached site without an await per punch (a burst brings thousands).
      const site =
        this.terminalSites.get(p.terminalId) ?? (await this.siteOfTerminal(p.terminalId)) ?? DEFAULT_SITE;
      const punch = { at: p.at, date: localDateOf(p.at, ctx.siteZones.get(site) ?? 'Asia/Jakarta') };
      const list = out.get(p.employeeId);
      if (list) list.push(punch);
      else out.set(p.employeeId, [punch]);
    }
    return out;
  }

  private async retryFollowUps(ctx: RulesContext): Promise<void> {
    if (this.followUps.length === 0) return;
    const list = this.followUps;
    this.followUps = [];
    await this.o.followUp(list, ctx);
  }

  private async process(
    dirty: Map<string, Set<IsoDate>>,
    punched: ReadonlyMap<string, readonly PunchOnDate[]>,
    ctx: RulesContext,
  ): Promise<void> {
    // The previous slice's follow-up, still running when overlapped (PostgreSQL).
    let following: Promise<void> | undefined;
    try {
      for (const nips of slices(dirty, punched)) {
        // Who left (an end date) is still computed: the days up to the end count, the rest are outside.
        const employees = (await this.o.config.employees(nips)).filter((e) => e.active || e.endDate !== null);
        // Marked days, and the days whose punch window holds a new punch.
        const dates = new Map<string, Set<IsoDate>>();
        for (const e of employees) {
          const set = new Set(dirty.get(e.nip));
          for (const d of punchDates(ctx, e, punched.get(e.nip) ?? [])) set.add(d);
          dates.set(e.nip, set);
        }
        const { changes, computed } = await computeDayChanges(this.o, employees, dates, ctx, this.now());
        this.stats.computed += computed;
        // The rules run on the server's one thread: let the ingest and HTTP in between slices.
        await new Promise((r) => setImmediate(r));
        if (changes.length === 0) continue;
        const gone = changes.filter((c) => !isStored(c.after));
        await this.o.writer.write({
          days: changes.filter((c) => isStored(c.after)).map((c) => c.after),
          deleteDays: gone.map((c) => ({ employeeIds: [c.employee.nip], dates: [c.after.workDate] })),
          at: this.now(),
        });
        this.stats.written += changes.length;
        await following;
        following = this.followUp(changes, ctx);
        if (!this.o.overlapFollowUps) await following;
      }
    } finally {
      await following;
    }
  }

  private async followUp(changes: DayChange[], ctx: RulesContext): Promise<void> {
    try {
      await this.o.followUp(changes, ctx);
    } catch (err) {
      // The days are written; keep the follow-up for the next batch rather than lose it.
      this.o.log.error({ err, changes: changes.length }, 'recompute follow-up failed; will retry');
      this.followUps.push(...changes);
    }
  }
}

/**
 * Employees in slices of at most MAX_EMPLOYEES and about MAX_DAYS days to compute (a new punch
 * counts for one day: it is rarely in two windows).
 */
function* slices(
  dirty: ReadonlyMap<string, ReadonlySet<IsoDate>>,
  punched: ReadonlyMap<string, readonly PunchOnDate[]>,
): Generator<string[]> {
  const days = new Map<string, number>();
  for (const [nip, dates] of dirty) days.set(nip, dates.size);
  for (const [nip, list] of punched) days.set(nip, (days.get(nip) ?? 0) + list.length);
  let slice: string[] = [];
  let total = 0;
  for (const [nip, n] of days) {
    if (slice.length > 0 && (slice.length >= MAX_EMPLOYEES || total + n > MAX_DAYS)) {
      yield slice;
      slice = [];
      total = 0;
    }
    slice.push(nip);
    total += n;
  }
  if (slice.length > 0) yield slice;
}
