/**
 * Work schedules and their assignments, holidays and special periods. Every change that can
 * alter past days marks them for recomputation (in the background) — over the last
 * RETRO_DAYS only; older days are recomputed on request (POST /api/attendance/recompute).
 * Days in a locked month then become adjustments, never a rewrite of what was paid.
 */
import { randomUUID } from 'node:crypto';
import {
  addDays,
  DEFAULT_SCHEDULE_ID,
  type Holiday,
  type IsoDate,
  localDateOf,
  type ScheduleAssignment,
  type SpecialPeriod,
  type WorkSchedule,
} from '../domain/index.ts';
import { AppError } from '../errors.ts';
import type { Scope } from '../services/scope.ts';
import type { CalendarRepository, StoredAssignment } from './calendar.repository.ts';
import { dateRange } from './month-close.service.ts';
import type { RecomputeService } from './recompute.service.ts';
import type { EmployeeFacts, RulesConfigRepository } from './rules-config.repository.ts';

/** How far back a calendar, schedule or profile change recomputes by itself. */
export const RETRO_DAYS = 62;

/** Marks the days of [from, to] that lie in the last RETRO_DAYS (up to today) for these employees. */
export function markRecent(
  recompute: RecomputeService,
  employees: readonly Pick<EmployeeFacts, 'nip'>[],
  from: IsoDate,
  to: IsoDate | null,
  now: number,
): void {
  const today = localDateOf(now, 'Asia/Jayapura'); // the easternmost zone: no site is ahead of it
  const start = from > addDays(today, -RETRO_DAYS) ? from : addDays(today, -RETRO_DAYS);
  const end = to === null || to > today ? today : to;
  if (start > end || employees.length === 0) return;
  const dates = dateRange(start, end);
  recompute.mark(employees.map((e) => ({ employeeId: e.nip, dates })));
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'P2002';
}

export class CalendarService {
  constructor(
    private readonly o: {
      calendar: CalendarRepository;
      config: RulesConfigRepository;
      recompute: RecomputeService;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private async everybody(): Promise<EmployeeFacts[]> {
    return this.o.config.activeEmployees();
  }

  schedules(): Promise<WorkSchedule[]> {
    return this.o.calendar.schedules();
  }

  async schedule(id: string): Promise<WorkSchedule> {
    const s = await this.o.calendar.schedule(id);
    if (!s) throw new AppError('NOT_FOUND', `no schedule ${id}`);
    return s;
  }

  async createSchedule(s: WorkSchedule): Promise<WorkSchedule> {
    if (await this.o.calendar.schedule(s.id)) throw new AppError('CONFLICT', `schedule ${s.id} exists`);
    await this.o.calendar.saveSchedule(s);
    return s;
  }

  async updateSchedule(id: string, s: WorkSchedule): Promise<WorkSchedule> {
    if (s.id !== id) throw new AppError('VALIDATION', 'id: must match the path');
    await this.schedule(id);
    await this.o.calendar.saveSchedule(s);
    markRecent(this.o.recompute, await this.usersOf(id), '0000-01-01', null, this.now());
    return s;
  }

  async deleteSchedule(id: string): Promise<void> {
    if (id === DEFAULT_SCHEDULE_ID) throw new AppError('CONFLICT', 'the default schedule cannot be deleted');
    await this.schedule(id);
    if ((await this.o.calendar.assignments({ scheduleId: id })).length > 0) {
      throw new AppError('CONFLICT', `schedule ${id} is still assigned`);
    }
    await this.o.calendar.deleteSchedule(id);
  }

  /** Employees that may be on a schedule: everybody for the default one, else those assigned. */
  private async usersOf(scheduleId: string): Promise<EmployeeFacts[]> {
    const all = await this.everybody();
    if (scheduleId === DEFAULT_SCHEDULE_ID) return all;
    const assignments = await this.o.calendar.assignments({ scheduleId });
    return all.filter((e) => assignments.some((a) => this.targets(a, e)));
  }

  private targets(a: ScheduleAssignment, e: EmployeeFacts): boolean {
    // Unit assignments reach child units too; the parent chain is not loaded here, so be generous.
    return a.target.kind === 'Employee' ? a.target.employeeId === e.nip : true;
  }

  async assignments(scope: Scope): Promise<StoredAssignment[]> {
    const all = await this.o.calendar.assignments();
    if (scope.all) return all;
    const mine = new Set((await this.o.config.activeEmployees(scope.unitIds)).map((e) => e.nip));
    return all.filter((a) =>
      a.target.kind === 'Unit' ? scope.unitIds.includes(a.target.unitId) : mine.has(a.target.employeeId),
    );
  }

  async assign(a: ScheduleAssignment, scope: Scope, by: string): Promise<StoredAssignment> {
    if (!(await this.o.calendar.schedule(a.scheduleId))) {
      throw new AppError('VALIDATION', `scheduleId: unknown schedule ${a.scheduleId}`);
    }
    const affected = await this.targetsInScope(a, scope);
    const stored: StoredAssignment = { ...a, id: randomUUID(), createdBy: by };
    await this.o.calendar.createAssignment(stored);
    markRecent(this.o.recompute, affected, a.effectiveFrom, a.effectiveTo, this.now());
    return stored;
  }

  async unassign(id: string, scope: Scope): Promise<void> {
    const a = await this.o.calendar.assignment(id);
    if (!a) throw new AppError('NOT_FOUND', `no assignment ${id}`);
    const affected = await this.targetsInScope(a, scope);
    await this.o.calendar.deleteAssignment(id);
    markRecent(this.o.recompute, affected, a.effectiveFrom, a.effectiveTo, this.now());
  }

  /** The employees an assignment reaches, checking the caller may touch its target. */
  private async targetsInScope(a: ScheduleAssignment, scope: Scope): Promise<EmployeeFacts[]> {
    if (a.target.kind === 'Employee') {
      const [e] = await this.o.config.employees([a.target.employeeId]);
      if (!e) throw new AppError('VALIDATION', `target.employeeId: unknown employee ${a.target.employeeId}`);
      if (!scope.all && !scope.unitIds.includes(e.unitId))
        throw new AppError('FORBIDDEN', 'outside your scope');
      return [e];
    }
    const unitId = a.target.unitId;
    if (!scope.all && !scope.unitIds.includes(unitId)) throw new AppError('FORBIDDEN', 'outside your scope');
    const units = await this.o.config.units();
    if (!units.some((u) => u.id === unitId))
      throw new AppError('VALIDATION', `target.unitId: unknown unit ${unitId}`);
    // The unit and every unit below it.
    const below = new Set([unitId]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const u of units) {
        if (u.parentId && below.has(u.parentId) && !below.has(u.id)) {
          below.add(u.id);
          grew = true;
        }
      }
    }
    return this.o.config.activeEmployees([...below]);
  }

  holidays(range: { from?: string | undefined; to?: string | undefined }) {
    return this.o.calendar.holidays({
      ...(range.from ? { from: range.from } : {}),
      ...(range.to ? { to: range.to } : {}),
    });
  }

  async addHoliday(h: Holiday) {
    const stored = { ...h, id: randomUUID() };
    try {
      await this.o.calendar.createHoliday(stored);
    } catch (err) {
      if (isUniqueViolation(err))
        throw new AppError('CONFLICT', `${h.name} on ${h.date} exists`, { cause: err });
      throw err;
    }
    markRecent(this.o.recompute, await this.everybody(), h.date, h.date, this.now());
    return stored;
  }

  async deleteHoliday(id: string): Promise<void> {
    const h = await this.o.calendar.holiday(id);
    if (!h) throw new AppError('NOT_FOUND', `no holiday ${id}`);
    await this.o.calendar.deleteHoliday(id);
    markRecent(this.o.recompute, await this.everybody(), h.date, h.date, this.now());
  }

  specialPeriods(): Promise<SpecialPeriod[]> {
    return this.o.calendar.specialPeriods();
  }

  async saveSpecialPeriod(p: SpecialPeriod, mode: 'create' | 'update'): Promise<SpecialPeriod> {
    const old = await this.o.calendar.specialPeriod(p.id);
    if (mode === 'create' && old) throw new AppError('CONFLICT', `special period ${p.id} exists`);
    if (mode === 'update' && !old) throw new AppError('NOT_FOUND', `no special period ${p.id}`);
    await this.o.calendar.saveSpecialPeriod(p);
    const from = old && old.from < p.from ? old.from : p.from;
    const to = old && old.to > p.to ? old.to : p.to;
    markRecent(this.o.recompute, await this.everybody(), from, to, this.now());
    return p;
  }

  async deleteSpecialPeriod(id: string): Promise<void> {
    const p = await this.o.calendar.specialPeriod(id);
    if (!p) throw new AppError('NOT_FOUND', `no special period ${id}`);
    await this.o.calendar.deleteSpecialPeriod(id);
    markRecent(this.o.recompute, await this.everybody(), p.from, p.to, this.now());
  }
}
