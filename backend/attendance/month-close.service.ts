/**
 * Closing a month from the database: read every punch, leave and correction of the month once,
 * run the engine's fast path (`closeMonth`), and write the day records and allowances, or lock
 * them. An employee whose month is already locked is left out: a locked month is never
 * rewritten (corrections to it become adjustments, see allowance.service.ts).
 */
import {
  addDays,
  closeMonth,
  DAY_MS,
  datesOfMonth,
  dayNumber,
  type IsoDate,
  type IsoMonth,
  type Leave,
  lockMonth,
  type MonthCloseEmployee,
  type MonthCloseResult,
} from '../domain/index.ts';
import { AppError } from '../errors.ts';
import type { AllowanceRepository, AllowanceRow } from './allowance.repository.ts';
import type { BulkWriter } from './bulk-writer.repository.ts';
import { isStored, type StoredDay, toStoredDay } from './daily-record.mapper.ts';
import { applyCorrections } from './effective-punches.ts';
import type { LeaveRepository } from './leave.repository.ts';
import type { PunchRepository, StoredCorrection } from './punch.repository.ts';
import type { EmployeeFacts, RulesConfigRepository } from './rules-config.repository.ts';
import type { RulesContextService } from './rules-context.service.ts';
import {
  assignmentsFor,
  type BaseAmount,
  baseAmountOf,
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
    let employees = await this.o.config.activeEmployees(opts.unitIds);
    if (opts.employeeIds) {
      const wanted = new Set(opts.employeeIds);
      employees = employees.filter((e) => wanted.has(e.nip));
    }
    const dates = datesOfMonth(month);
    const first = dates[0] as IsoDate;
    const last = dates.at(-1) as IsoDate;
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

  /** Runs the rules over inputs already read. */
  compute(month: IsoMonth, ctx: RulesContext, inputs: MonthInputs): ClosedEmployee[] {
    const dates = datesOfMonth(month);
    const scheduleIdsCache = new Map<string, string | string[]>();
    const bases: BaseAmount[] = [];
    const engineInput: MonthCloseEmployee[] = inputs.employees.map((e) => {
      const tz = zoneOf(ctx, e);
      // Employees without assignments of their own share their unit's schedule list.
      const { own } = assignmentsFor(ctx, e);
      const cacheKey = own.length === 0 ? `unit:${e.unitId}` : null;
      let scheduleId = cacheKey ? scheduleIdsCache.get(cacheKey) : undefined;
      if (scheduleId === undefined) {
        const ids = dates.map((d) => scheduleIdFor(ctx, e, d));
        scheduleId = ids.every((id) => id === ids[0]) ? (ids[0] as string) : ids;
        if (cacheKey) scheduleIdsCache.set(cacheKey, scheduleId);
      }
      const site = siteOf(e);
      const pendingDates = ctx.pendingSince.has(site)
        ? dates.filter((d, i) =>
            hasPendingPunches(
              ctx,
              site,
              scheduleById(ctx, typeof scheduleId === 'string' ? scheduleId : (scheduleId?.[i] as string)),
              d,
              tz,
            ),
          )
        : undefined;
      const base = baseAmountOf(ctx, e);
      bases.push(base);
      const events = inputs.punches.get(e.nip) ?? [];
      const corrections = inputs.corrections.get(e.nip);
      return {
        employeeId: e.nip,
        baseAmount: base.amount,
        timeZone: tz,
        scheduleId,
        punches: corrections ? applyCorrections(events, corrections) : events,
        leaves: inputs.leaves.get(e.nip) ?? [],
        ...(pendingDates ? { pendingDates } : {}),
      };
    });
    const results = closeMonth({
      month,
      schedules: [...ctx.schedules.values()],
      calendar: ctx.calendar,
      profiles: ctx.profiles,
      employees: engineInput,
      asOf: this.now,
    });
    return results.map((result, i) => ({
      employee: inputs.employees[i] as EmployeeFacts,
      base: bases[i] as BaseAmount,
      result,
    }));
  }

  /** Close (and optionally lock) a month; employees already locked for it are left out. */
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
    t = performance.now();
    const closed = this.compute(month, ctx, inputs);
    const rulesMs = performance.now() - t;
    t = performance.now();
    if (opts.write || opts.lock) await this.write(month, closed, opts.lock);
    const writeMs = performance.now() - t;
    return { closed, skippedLocked, timings: { readMs, rulesMs, writeMs } };
  }

  private async write(month: IsoMonth, closed: ClosedEmployee[], lock: CloseOptions['lock']): Promise<void> {
    const now = this.now;
    if (lock) {
      const unsettled = closed.filter((c) => !lockMonth(c.result.allowance, new Date(now).toISOString()).ok);
      if (unsettled.length > 0) {
        const sample = unsettled
          .slice(0, 5)
          .map((c) => `${c.employee.nip} (${c.result.allowance.unsettledDates.join(', ')})`);
        throw new AppError(
          'CONFLICT',
          `${month} cannot be locked: ${unsettled.length} employee(s) have days not settled yet, e.g. ${sample.join('; ')}`,
        );
      }
    }
    const days: StoredDay[] = [];
    const rows: AllowanceRow[] = [];
    // Days off are not stored; a record stored before for one (a work day then) goes.
    const offDates = new Map<string, { dates: IsoDate[]; nips: string[] }>();
    for (const c of closed) {
      const off: IsoDate[] = [];
      for (const d of c.result.days ?? []) {
        const stored = toStoredDay(c.employee.nip, c.employee.unitId, d);
        if (isStored(stored)) days.push(stored);
        else off.push(d.workDate);
      }
      const key = off.join(',');
      const group = offDates.get(key);
      if (group) group.nips.push(c.employee.nip);
      else offDates.set(key, { dates: off, nips: [c.employee.nip] });
      rows.push({
        allowance: c.result.allowance,
        unitId: c.employee.unitId,
        locked: lock !== undefined,
        lockScope: lock?.scope ?? null,
        lockedAt: lock ? now : null,
      });
    }
    await this.o.writer.write({
      deleteDays: [...offDates.values()].map((g) => ({ employeeIds: g.nips, dates: g.dates })),
      days,
      allowances: rows,
      ...(lock ? { lock: { month, scope: lock.scope, employees: rows.length, lockedBy: lock.by } } : {}),
      at: now,
    });
  }
}

/** Local dates from `from` to `to` inclusive. */
export function dateRange(from: IsoDate, to: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}
