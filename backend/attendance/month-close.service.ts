/**
 * Closing a month from the database: read every punch, leave and correction of the month once,
 * run the engine's fast path (`monthCloser`), and write the day records and allowances, or lock
 * them. An employee whose month is already locked is left out: a locked month is never
 * rewritten (corrections to it become adjustments, see allowance.service.ts).
 */
import {
  addDays,
  DAY_MS,
  datesOfMonth,
  dayNumber,
  type IsoDate,
  type IsoMonth,
  type Leave,
  lockMonth,
  type MonthCloseEmployee,
  type MonthCloseResult,
  type MonthCloseSetup,
  monthCloser,
} from '../domain/index.ts';
import { AppError } from '../errors.ts';
import type { AllowanceRepository, AllowanceRow } from './allowance.repository.ts';
import type { BulkWrite, BulkWriter } from './bulk-writer.repository.ts';
import { isStored, type StoredDay, toStoredDay } from './daily-record.mapper.ts';
import { applyCorrections } from './effective-punches.ts';
import type { LeaveRepository } from './leave.repository.ts';
import { defaultProfiles, employeeProfiles } from './profile-resolution.ts';
import type { PunchRepository, StoredCorrection } from './punch.repository.ts';
import type { EmployeeFacts, RulesConfigRepository } from './rules-config.repository.ts';
import type { RulesContextService } from './rules-context.service.ts';
import {
  type BaseAmount,
  baseAmountOf,
  employedOn,
  factsOn,
  hasPendingPunches,
  type RulesContext,
  scheduleById,
  scheduleIdFor,
  siteOf,
  zoneOf,
} from './rules-context.ts';

export type CloseOptions = {
  unitIds?: readonly string[] | undefined;
  employeeIds?: readonly string[] | undefined;
  /** Write day records and allowances (false: compute only, e.g. for a report). */
  write: boolean;
  /** Lock the month for these employees (implies write). */
  lock?: { scope: string; by: string } | undefined;
};

export type ClosedEmployee = { employee: EmployeeFacts; base: BaseAmount; result: MonthCloseResult };

export type CloseTimings = { readMs: number; rulesMs: number; writeMs: number };

/** Everything the month's rules read, per employee. */
export type MonthInputs = {
  employees: EmployeeFacts[];
  punches: Map<string, ArrayLike<number>>;
  corrections: Map<string, StoredCorrection[]>;
  leaves: Map<string, Leave[]>;
};

/** Above this many employees one grouped scan of the month beats per-employee look-ups. */
const SCAN_ALL_ABOVE = 1000;

export class MonthCloseService {
  constructor(
    private readonly o: {
      context: RulesContextService;
      config: RulesConfigRepository;
      punches: PunchRepository;
      leaves: LeaveRepository;
      allowances: AllowanceRepository;
      writer: BulkWriter;
      now?: () => number;
    },
  ) {}

  private get now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** Reads the month's inputs: employees, punches (with corrections), leave. */
  async read(
    month: IsoMonth,
    opts: Pick<CloseOptions, 'unitIds' | 'employeeIds'> = {},
  ): Promise<MonthInputs> {
    const dates = datesOfMonth(month);
    const first = dates[0] as IsoDate;
    const last = dates.at(-1) as IsoDate;
    let employees = inMonth(await this.o.config.activeEmployees(opts.unitIds, first), dates, opts.unitIds);
    if (opts.employeeIds) {
      const wanted = new Set(opts.employeeIds);
      employees = employees.filter((e) => wanted.has(e.nip));
    }
    // The first day's window may open the evening before; the last day's night shift ends next month.
    const from = new Date((dayNumber(first) - 2) * DAY_MS);
    const to = new Date((dayNumber(last) + 3) * DAY_MS);
    const nips = employees.map((e) => e.nip);
    const scanAll = employees.length > SCAN_ALL_ABOVE;
    const [punches, corrections, leaves] = await Promise.all([
      scanAll ? this.o.punches.allInstants(from, to) : this.o.punches.instants(nips, from, to),
      this.o.punches.corrections(scanAll ? null : nips, from, to),
      this.o.leaves.byEmployee(scanAll ? null : nips, first, last),
    ]);
    const byEmployee = new Map<string, StoredCorrection[]>();
    for (const c of corrections) {
      const list = byEmployee.get(c.employeeId);
      if (list) list.push(c);
      else byEmployee.set(c.employeeId, [c]);
    }
    return { employees, punches, corrections: byEmployee, leaves };
  }

  /** Runs the rules over inputs already read (every employee's day records kept). */
  compute(month: IsoMonth, ctx: RulesContext, inputs: MonthInputs): ClosedEmployee[] {
    return inputs.employees.map(this.closer(month, ctx, inputs, { keepDays: true }));
  }

  /** The rules for one employee at a time over inputs already read (see `monthCloser`). */
  private closer(
    month: IsoMonth,
    ctx: RulesContext,
    inputs: MonthInputs,
    setup: Pick<MonthCloseSetup, 'keepDays' | 'offDayRecords'>,
  ): (e: EmployeeFacts) => ClosedEmployee {
    const dates = datesOfMonth(month);
    const scheduleIdsCache = new Map<string, string | string[]>();
    const closeOne = monthCloser({
      month,
      schedules: [...ctx.schedules.values()],
      calendar: ctx.calendar,
      profiles: defaultProfiles(ctx),
      asOf: this.now,
      ...setup,
    });
    // Employees without assignments of their own share their unit's schedule list (assignmentsFor).
    const withOwn = new Set<string>();
    for (const a of ctx.assignments) if (a.target.kind === 'Employee') withOwn.add(a.target.employeeId);
    return (employee) => {
      // The month is computed with what held on each day; the zone, site and base amount with
      // what held on its last day in service.
      const e = factsOn(employee, lastInService(employee, dates));
      const tz = zoneOf(ctx, e);
      const cacheKey = withOwn.has(e.nip) || e.history.length > 0 ? null : e.unitId;
      let scheduleId = cacheKey === null ? undefined : scheduleIdsCache.get(cacheKey);
      if (scheduleId === undefined) {
        const ids = dates.map((d) => scheduleIdFor(ctx, factsOn(e, d), d));
        scheduleId = ids.every((id) => id === ids[0]) ? (ids[0] as string) : ids;
        if (cacheKey !== null) scheduleIdsCache.set(cacheKey, scheduleId);
      }
      const site = siteOf(e);
      const base = baseAmountOf(ctx, e);
      const events = inputs.punches.get(e.nip) ?? NO_EVENTS;
      const corrections = inputs.corrections.get(e.nip);
      const input: MonthCloseEmployee = {
        employeeId: e.nip,
        baseAmount: base.amount,
        timeZone: tz,
        scheduleId,
        punches: corrections ? applyCorrections(events, corrections) : events,
        leaves: inputs.leaves.get(e.nip) ?? NO_LEAVE,
        profiles: employeeProfiles(ctx, e.unitId),
      };
      if (e.startDate !== null || e.endDate !== null)
        input.employment = { startDate: e.startDate, endDate: e.endDate };
      if (e.history.length > 0) {
        const bases = dates.map((d) => baseAmountOf(ctx, factsOn(e, d)).amount);
        if (bases.some((b) => b !== base.amount)) input.baseAmounts = bases;
      }
      if (ctx.pendingSince.has(site)) {
        const ids = scheduleId;
        input.pendingDates = dates.filter((d, i) =>
          hasPendingPunches(
            ctx,
            site,
            scheduleById(ctx, typeof ids === 'string' ? ids : (ids[i] as string)),
            d,
            tz,
          ),
        );
      }
      const result = closeOne(input);
      return { employee: e, base, result };
    };
  }

  /**
   * Close (and optionally lock) a month; employees already locked for it are left out. With
   * `write` (or `lock`) the day records go to the database and are not returned (`days` null):
   * callers use the allowances.
   */
  async close(
    month: IsoMonth,
    opts: CloseOptions,
  ): Promise<{ closed: ClosedEmployee[]; skippedLocked: string[]; timings: CloseTimings }> {
    let t = performance.now();
    const [ctx, inputs, locked] = await Promise.all([
      this.o.context.load(),
      this.read(month, opts),
      this.o.allowances.lockedEmployees(month),
    ]);
    const skippedLocked = inputs.employees.filter((e) => locked.has(e.nip)).map((e) => e.nip);
    if (skippedLocked.length > 0) inputs.employees = inputs.employees.filter((e) => !locked.has(e.nip));
    const readMs = performance.now() - t;
    if (opts.write || opts.lock) {
      const { closed, rulesMs, writeMs } = await this.computeAndWrite(month, ctx, inputs, opts.lock);
      return { closed, skippedLocked, timings: { readMs, rulesMs, writeMs } };
    }
    t = performance.now();
    // Only the allowances are wanted: no day records.
    const closed = inputs.employees.map(this.closer(month, ctx, inputs, { keepDays: false }));
    const rulesMs = performance.now() - t;
    return { closed, skippedLocked, timings: { readMs, rulesMs, writeMs: 0 } };
  }

  /**
   * Runs the rules a chunk of employees at a time and hands each chunk's rows to the writer
   * before computing the next, all in one transaction (`BulkWriter.writeEach`): the month's
   * records are garbage a chunk later instead of 310 000 objects held until one big write, which
   * made the rules spend a third to a half of their time in the garbage collector copying them
   * (issue #4; bench:rules). Days off get no record at all, only their dates. A refused lock throws
   * inside the transaction: nothing is written. `rulesMs` is the sum of the chunks' rule
   * computations, `writeMs` the rest (rows, SQL, commit).
   */
  private async computeAndWrite(
    month: IsoMonth,
    ctx: RulesContext,
    inputs: MonthInputs,
    lock: CloseOptions['lock'],
  ): Promise<{ closed: ClosedEmployee[]; rulesMs: number; writeMs: number }> {
    const now = this.now;
    const lockedAt = new Date(now).toISOString();
    // Days off are not stored (isStored): no records for them, only their dates, so that a record
    // stored before for one of them (a work day then) goes.
    const closeOne = this.closer(month, ctx, inputs, { keepDays: true, offDayRecords: false });
    const employees = inputs.employees;
    const closed: ClosedEmployee[] = [];
    const unsettled: ClosedEmployee[] = [];
    const offDates = new Map<string, { dates: IsoDate[]; nips: string[] }>();
    let next = 0;
    let done = false;
    let rulesMs = 0;
    const t0 = performance.now();
    await this.o.writer.writeEach((): BulkWrite | null => {
      if (next >= employees.length) {
        if (unsettled.length > 0) throw unsettledError(month, unsettled);
        if (done) return null;
        done = true;
        // Last: the removals and the lock (their order against the upserts does not matter: a
        // close never stores a record on a date it removes for the same employee).
        return {
          deleteDays: [...offDates.values()].map((g) => ({ employeeIds: g.nips, dates: g.dates })),
          ...(lock
            ? { lock: { month, scope: lock.scope, employees: closed.length, lockedBy: lock.by } }
            : {}),
          at: now,
        };
      }
      const chunk = employees.slice(next, next + CHUNK);
      next += chunk.length;
      const t = performance.now();
      const results = chunk.map(closeOne);
      rulesMs += performance.now() - t;
      const days: StoredDay[] = [];
      const rows: AllowanceRow[] = [];
      for (const c of results) {
        closed.push(c);
        const { result, employee } = c;
        if (lock && !lockMonth(result.allowance, lockedAt).ok) unsettled.push(c);
        // Nothing will be written once the lock is refused; the rest only counts (error message).
        if (unsettled.length === 0) {
          for (const d of result.days ?? []) {
            const stored = toStoredDay(employee.nip, factsOn(employee, d.workDate).unitId, d);
            if (isStored(stored)) days.push(stored);
          }
          const off = result.offDates ?? [];
          const key = off.join(',');
          const group = offDates.get(key);
          if (group) group.nips.push(employee.nip);
          else offDates.set(key, { dates: [...off], nips: [employee.nip] });
          rows.push({
            allowance: result.allowance,
            unitId: employee.unitId,
            locked: lock !== undefined,
            lockScope: lock?.scope ?? null,
            lockedAt: lock ? now : null,
          });
        }
        result.days = null;
      }
      return { days, allowances: rows, at: now };
    });
    return { closed, rulesMs, writeMs: performance.now() - t0 - rulesMs };
  }
}

const NO_EVENTS: readonly number[] = [];
const NO_LEAVE: readonly Leave[] = [];

/**
 * Employees per chunk of computeAndWrite: ~700 records, far less than the young generation, so
 * a scavenge finds little alive (bench:rules: 32 and 64 alike, 128 and more measurably slower).
 */
const CHUNK = 32;

function unsettledError(month: IsoMonth, unsettled: readonly ClosedEmployee[]): AppError {
  const sample = unsettled
    .slice(0, 5)
    .map((c) => `${c.employee.nip} (${c.result.allowance.unsettledDates.join(', ')})`);
  return new AppError(
    'CONFLICT',
    `${month} cannot be locked: ${unsettled.length} employee(s) have days not settled yet, e.g. ${sample.join('; ')}`,
  );
}

/** The last date of the month in the employment period (the month's last date when none). */
function lastInService(e: EmployeeFacts, dates: readonly IsoDate[]): IsoDate {
  for (let i = dates.length - 1; i >= 0; i--)
    if (employedOn(e, dates[i] as IsoDate)) return dates[i] as IsoDate;
  return dates.at(-1) as IsoDate;
}

/**
 * Employees with a day of the month in service (and, with units, in one of them that day): a
 * month before the start or after the end has nothing to close.
 */
function inMonth(
  employees: EmployeeFacts[],
  dates: readonly IsoDate[],
  unitIds: readonly string[] | undefined,
): EmployeeFacts[] {
  const units = unitIds ? new Set(unitIds) : null;
  return employees.filter((e) =>
    dates.some((d) => employedOn(e, d) && (units === null || units.has(factsOn(e, d).unitId))),
  );
}

/** Local dates from `from` to `to` inclusive. */
export function dateRange(from: IsoDate, to: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}
