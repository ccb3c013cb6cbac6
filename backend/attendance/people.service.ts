/**
 * Employees over time (issue #11, RULES.md "People over time"): the employment period and the
 * effective-dated unit, site, superior, position class, base amount and schedule. A change
 * recomputes the days it reaches, so a past month is computed with what held then.
 */
import { randomUUID } from 'node:crypto';
import {
  addDays,
  dayNumber,
  type EndReason,
  type IsoDate,
  localDateOf,
  periodProblem,
  versionOn,
  withChange,
} from '../domain/index.ts';
import { AppError } from '../errors.ts';
import { inScope, type Scope } from '../services/scope.ts';
import type { CalendarRepository } from './calendar.repository.ts';
import { dateRange } from './month-close.service.ts';
import type { PeopleRepository, PersonPatch, PersonRow, StoredVersion } from './people.repository.ts';
import type { RecomputeService } from './recompute.service.ts';
import type { DatedFields, FactsVersion } from './rules-config.repository.ts';
import { DEFAULT_SITE } from './rules-context.ts';

export type PersonUpdate = {
  name?: string | undefined;
  kind?: 'PNS' | 'PPPK' | undefined;
  startDate?: IsoDate | null | undefined;
  endDate?: IsoDate | null | undefined;
  endReason?: EndReason | null | undefined;
  unitId?: string | undefined;
  siteId?: string | null | undefined;
  superiorNip?: string | null | undefined;
  positionClass?: number | null | undefined;
  baseAmount?: number | null | undefined;
  scheduleId?: string | undefined;
  effectiveFrom?: IsoDate | undefined;
};

/** One saved edit: the first day it can alter (null: none), the employee's today, an active flag changed. */
export type PersonEdit = { nip: string; from: IsoDate | null; today: IsoDate; active: boolean | null };

const DATED_KEYS = ['unitId', 'siteId', 'superiorNip', 'positionClass', 'baseAmount'] as const;

/** How far back a change recomputes the days it reaches (a year and a day). */
const MAX_RECOMPUTE_DAYS = 367;

export class PeopleService {
  constructor(
    private readonly o: {
      people: PeopleRepository;
      calendar: CalendarRepository;
      recompute: RecomputeService;
      now?: () => number;
      /** An employee whose service ended (or resumed): kiosk galleries and caches follow. */
      onDeactivated?: (nip: string, active: boolean) => Promise<void> | void;
    },
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** The employee with their period, the values in force today and the history. */
  async get(nip: string, scope: Scope) {
    const row = await this.inScope(nip, scope);
    const schedules = (await this.o.calendar.assignments())
      .filter((a) => a.target.kind === 'Employee' && a.target.employeeId === nip)
      .map((a) => ({
        id: a.id,
        scheduleId: a.scheduleId,
        effectiveFrom: a.effectiveFrom,
        effectiveTo: a.effectiveTo,
      }));
    return { ...view(row), history: await this.historyOf(row), schedules };
  }

  async history(nip: string, scope: Scope) {
    return this.historyOf(await this.inScope(nip, scope));
  }

  /** Edits an employee: plain fields at once, dated fields from `effectiveFrom` on. */
  async update(nip: string, u: PersonUpdate, scope: Scope, by: string) {
    await this.recomputeEdits([await this.apply(nip, u, scope, by)]);
    return this.get(nip, scope);
  }

  /**
   * Checks and saves one edit without recomputing the days it reaches: what it returns says which.
   * For bulk callers (the CSV import), which recompute every edit's days in one batch with
   * `recomputeEdits`; `update` is this and that for one edit.
   */
  async apply(nip: string, u: PersonUpdate, scope: Scope, by: string): Promise<PersonEdit> {
    const row = await this.inScope(nip, scope);
    const change = datedChange(u);
    const hasDated = Object.keys(change).length > 0 || u.scheduleId !== undefined;
    if (hasDated && u.effectiveFrom === undefined)
      throw new AppError('VALIDATION', 'effectiveFrom: required when a dated field is given');
    await this.validate(u, row, scope);
    const period = {
      startDate: u.startDate === undefined ? row.startDate : u.startDate,
      endDate: u.endDate === undefined ? row.endDate : u.endDate,
    };
    if (periodProblem(period))
      throw new AppError(
        'VALIDATION',
        `endDate: ${period.endDate} is before the start date ${period.startDate}`,
      );
    const today = localDateOf(this.now(), await this.zoneOf(row.siteId));
    const patch: PersonPatch = {
      ...(u.name === undefined ? {} : { name: u.name }),
      ...(u.kind === undefined ? {} : { kind: u.kind }),
      ...(u.startDate === undefined ? {} : { startDate: u.startDate }),
      ...(u.endDate === undefined
        ? {}
        : { endDate: u.endDate, active: u.endDate === null || u.endDate >= today }),
      ...(u.endReason !== undefined
        ? { endReason: u.endReason }
        : u.endDate === null
          ? { endReason: null }
          : {}),
    };
    let versions: FactsVersion[] | null = null;
    if (Object.keys(change).length > 0 && u.effectiveFrom !== undefined) {
      versions = withChange(await this.versionsOf(row), fieldsOf(row), u.effectiveFrom, change);
      Object.assign(patch, fieldsOf(versionOn(versions, today, fieldsOf(row))));
    }
    await this.o.people.save(nip, patch, versions, by);
    if (u.scheduleId !== undefined && u.effectiveFrom !== undefined) {
      await this.o.calendar.createAssignment({
        id: randomUUID(),
        scheduleId: u.scheduleId,
        target: { kind: 'Employee', employeeId: nip },
        effectiveFrom: u.effectiveFrom,
        effectiveTo: null,
        createdBy: by,
      });
    }
    const active = patch.active !== undefined && patch.active !== row.active ? patch.active : null;
    return { nip, from: affectedFrom(row, u, hasDated), today, active };
  }

  /** Recomputes the days the edits reach, all in one batch; then tells of employments ended or resumed. */
  async recomputeEdits(edits: readonly PersonEdit[]): Promise<void> {
    const pairs = edits.flatMap((e) => {
      const dates = recomputeDates(e.from, e.today);
      return dates.length === 0 ? [] : [{ employeeId: e.nip, dates }];
    });
    if (pairs.length > 0) await this.o.recompute.recomputeNow(pairs);
    for (const e of edits) if (e.active !== null) await this.o.onDeactivated?.(e.nip, e.active);
  }

  /** Ends the employment (history kept): from the day after `endDate` (default today) nothing is owed. */
  async deactivate(
    nip: string,
    body: { endDate?: IsoDate | undefined; endReason: EndReason },
    scope: Scope,
    by: string,
  ) {
    const row = await this.inScope(nip, scope);
    const endDate = body.endDate ?? localDateOf(this.now(), await this.zoneOf(row.siteId));
    return this.update(nip, { endDate, endReason: body.endReason }, scope, by);
  }

  /**
   * Keeps the employee rows on today's values (run by the day close): a dated change that came
   * into force since is copied to the row, and an employment whose end date has passed is
   * deactivated (out of the kiosk galleries; the history stays).
   */
  async syncToday(): Promise<{ updated: number; ended: number }> {
    const [rows, zones] = await Promise.all([this.o.people.toSync(), this.o.people.siteZones()]);
    let updated = 0;
    let ended = 0;
    for (const { assignments, ...row } of rows) {
      const today = localDateOf(this.now(), zones.get(row.siteId ?? DEFAULT_SITE) ?? 'Asia/Jakarta');
      const patch: PersonPatch = {};
      const current = fieldsOf(versionOn(assignments, today, fieldsOf(row)));
      for (const k of DATED_KEYS) if (current[k] !== row[k]) Object.assign(patch, { [k]: current[k] });
      if (row.active && row.endDate !== null && row.endDate < today) patch.active = false;
      if (Object.keys(patch).length === 0) continue;
      await this.o.people.save(row.nip, patch, null, null);
      updated++;
      if (patch.active === false) {
        ended++;
        await this.o.onDeactivated?.(row.nip, false);
      }
    }
    return { updated, ended };
  }

  private async inScope(nip: string, scope: Scope): Promise<PersonRow> {
    const row = await this.o.people.find(nip);
    if (!row) throw new AppError('NOT_FOUND', `no employee ${nip}`);
    if (!inScope(scope, row.unitId)) throw new AppError('FORBIDDEN', 'employee outside your scope');
    return row;
  }

  private async validate(u: PersonUpdate, row: PersonRow, scope: Scope): Promise<void> {
    if (u.unitId !== undefined) {
      const state = await this.o.people.unitState(u.unitId);
      if (state !== 'active') {
        const why = state === 'unknown' ? `unknown unit ${u.unitId}` : `unit ${u.unitId} is deactivated`;
        throw new AppError('VALIDATION', `unitId: ${why}`);
      }
      if (!inScope(scope, u.unitId))
        throw new AppError('FORBIDDEN', `unit ${u.unitId} is outside your scope`);
    }
    if (u.siteId && (await this.o.people.siteZone(u.siteId)) === null)
      throw new AppError('VALIDATION', `siteId: unknown site ${u.siteId}`);
    if (u.superiorNip) {
      if (u.superiorNip === row.nip)
        throw new AppError('VALIDATION', 'superiorNip: not the employee themselves');
      // Outside the caller's scope reads as unknown: the answer must not tell which NIPs exist.
      const sup = await this.o.people.find(u.superiorNip);
      if (!sup || !inScope(scope, sup.unitId))
        throw new AppError('VALIDATION', 'superiorNip: no such employee in your scope');
    }
    if (u.scheduleId !== undefined && !(await this.o.calendar.schedule(u.scheduleId)))
      throw new AppError('VALIDATION', `scheduleId: unknown schedule ${u.scheduleId}`);
  }

  private async zoneOf(siteId: string | null): Promise<string> {
    return (await this.o.people.siteZone(siteId ?? DEFAULT_SITE)) ?? 'Asia/Jakarta';
  }

  /** The stored versions; none yet: the row's values since the start (or creation). */
  private async versionsOf(row: PersonRow): Promise<FactsVersion[]> {
    const stored = await this.o.people.history(row.nip);
    if (stored.length > 0) return stored.map(({ createdBy: _b, createdAt: _a, ...v }) => v);
    return [{ effectiveFrom: baselineDate(row), ...fieldsOf(row) }];
  }

  private async historyOf(row: PersonRow) {
    const stored = await this.o.people.history(row.nip);
    const list: StoredVersion[] =
      stored.length > 0
        ? stored
        : [{ effectiveFrom: baselineDate(row), ...fieldsOf(row), createdBy: null, createdAt: row.createdAt }];
    return list.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() }));
  }
}

/** The days an edit reaches: from `from` to today (a year back at most). */
function recomputeDates(from: IsoDate | null, today: IsoDate): IsoDate[] {
  if (from === null || from > today) return [];
  const start =
    dayNumber(today) - dayNumber(from) > MAX_RECOMPUTE_DAYS ? addDays(today, -MAX_RECOMPUTE_DAYS) : from;
  return dateRange(start, today);
}

function datedChange(u: PersonUpdate): Partial<DatedFields> {
  const out: Partial<DatedFields> = {};
  for (const k of DATED_KEYS) if (u[k] !== undefined) Object.assign(out, { [k]: u[k] });
  return out;
}

function fieldsOf(v: DatedFields): DatedFields {
  return {
    unitId: v.unitId,
    siteId: v.siteId,
    superiorNip: v.superiorNip,
    baseAmount: v.baseAmount,
    positionClass: v.positionClass,
  };
}

function baselineDate(row: PersonRow): IsoDate {
  return row.startDate ?? localDateOf(row.createdAt.getTime(), 'Asia/Jakarta');
}

/** The first day a change can alter: the effective date, or the earlier of an old and a new bound. */
function affectedFrom(row: PersonRow, u: PersonUpdate, hasDated: boolean): IsoDate | null {
  const dates: IsoDate[] = [];
  if (hasDated && u.effectiveFrom !== undefined) dates.push(u.effectiveFrom);
  if (u.startDate !== undefined) {
    // A start moved earlier or later: the days between the two starts change (no start: a year back).
    dates.push(u.startDate ?? '0000-01-01', row.startDate ?? '0000-01-01');
  }
  if (u.endDate !== undefined) {
    for (const end of [u.endDate, row.endDate]) if (end !== null) dates.push(addDays(end, 1));
  }
  return dates.length === 0 ? null : (dates.sort()[0] as IsoDate);
}

export type PersonView = ReturnType<typeof view>;

function view(row: PersonRow) {
  return {
    nip: row.nip,
    name: row.name,
    kind: row.kind,
    active: row.active,
    unitId: row.unitId,
    siteId: row.siteId,
    superiorNip: row.superiorNip,
    positionClass: row.positionClass,
    baseAmount: row.baseAmount,
    startDate: row.startDate,
    endDate: row.endDate,
    endReason: row.endReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
