import type {
  Holiday,
  HolidayKind,
  ScheduleAssignment,
  SpecialPeriod,
  SpecialPeriodKind,
  WeeklyHours,
  WorkSchedule,
} from '../domain/index.ts';
import type { Db } from '../repositories/db.ts';

export type StoredAssignment = ScheduleAssignment & { id: string; createdBy: string | null };
export type StoredHoliday = Holiday & { id: string };

type AssignmentRow = {
  id: string;
  scheduleId: string;
  unitId: string | null;
  employeeId: string | null;
  effectiveFrom: string;
  effectiveTo: string | null;
  createdBy: string | null;
};

function toAssignment(r: AssignmentRow): StoredAssignment {
  return {
    id: r.id,
    scheduleId: r.scheduleId,
    target: r.employeeId
      ? { kind: 'Employee', employeeId: r.employeeId }
      : { kind: 'Unit', unitId: r.unitId ?? '' },
    effectiveFrom: r.effectiveFrom,
    effectiveTo: r.effectiveTo,
    createdBy: r.createdBy,
  };
}

function toPeriod(r: {
  id: string;
  name: string;
  kind: string;
  dateFrom: string;
  dateTo: string;
  hours: string;
}): SpecialPeriod {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as SpecialPeriodKind,
    from: r.dateFrom,
    to: r.dateTo,
    hours: JSON.parse(r.hours) as WeeklyHours,
  };
}

/** Work schedules, their assignments, holidays and special periods. */
export class CalendarRepository {
  constructor(private readonly db: Db) {}

  async schedules(): Promise<WorkSchedule[]> {
    const rows = await this.db.prisma.workSchedule.findMany({ orderBy: { id: 'asc' } });
    return rows.map((r) => JSON.parse(r.definition) as WorkSchedule);
  }

  async schedule(id: string): Promise<WorkSchedule | null> {
    const r = await this.db.prisma.workSchedule.findUnique({ where: { id } });
    return r ? (JSON.parse(r.definition) as WorkSchedule) : null;
  }

  async saveSchedule(s: WorkSchedule): Promise<void> {
    const definition = JSON.stringify(s);
    await this.db.prisma.workSchedule.upsert({
      where: { id: s.id },
      create: { id: s.id, name: s.name, definition },
      update: { name: s.name, definition },
    });
  }

  async deleteSchedule(id: string): Promise<void> {
    await this.db.prisma.workSchedule.deleteMany({ where: { id } });
  }

  async assignments(filter: { scheduleId?: string } = {}): Promise<StoredAssignment[]> {
    const rows = await this.db.prisma.scheduleAssignment.findMany({
      where: filter.scheduleId ? { scheduleId: filter.scheduleId } : {},
      orderBy: [{ effectiveFrom: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toAssignment);
  }

  async assignment(id: string): Promise<StoredAssignment | null> {
    const r = await this.db.prisma.scheduleAssignment.findUnique({ where: { id } });
    return r ? toAssignment(r) : null;
  }

  async createAssignment(a: StoredAssignment): Promise<void> {
    await this.db.prisma.scheduleAssignment.create({
      data: {
        id: a.id,
        scheduleId: a.scheduleId,
        unitId: a.target.kind === 'Unit' ? a.target.unitId : null,
        employeeId: a.target.kind === 'Employee' ? a.target.employeeId : null,
        effectiveFrom: a.effectiveFrom,
        effectiveTo: a.effectiveTo,
        createdBy: a.createdBy,
      },
    });
  }

  async deleteAssignment(id: string): Promise<void> {
    await this.db.prisma.scheduleAssignment.deleteMany({ where: { id } });
  }

  async holidays(range: { from?: string; to?: string } = {}): Promise<StoredHoliday[]> {
    const rows = await this.db.prisma.holiday.findMany({
      where: { date: { ...(range.from ? { gte: range.from } : {}), ...(range.to ? { lte: range.to } : {}) } },
      orderBy: [{ date: 'asc' }, { name: 'asc' }],
    });
    return rows.map((r) => ({ id: r.id, date: r.date, name: r.name, kind: r.kind as HolidayKind }));
  }

  async holiday(id: string): Promise<StoredHoliday | null> {
    const r = await this.db.prisma.holiday.findUnique({ where: { id } });
    return r ? { id: r.id, date: r.date, name: r.name, kind: r.kind as HolidayKind } : null;
  }

  async createHoliday(h: StoredHoliday): Promise<void> {
    await this.db.prisma.holiday.create({ data: h });
  }

  async deleteHoliday(id: string): Promise<void> {
    await this.db.prisma.holiday.deleteMany({ where: { id } });
  }

  async specialPeriods(): Promise<SpecialPeriod[]> {
    const rows = await this.db.prisma.specialPeriod.findMany({
      orderBy: [{ dateFrom: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toPeriod);
  }

  async specialPeriod(id: string): Promise<SpecialPeriod | null> {
    const r = await this.db.prisma.specialPeriod.findUnique({ where: { id } });
    return r ? toPeriod(r) : null;
  }

  async saveSpecialPeriod(p: SpecialPeriod): Promise<void> {
    const data = {
      name: p.name,
      kind: p.kind,
      dateFrom: p.from,
      dateTo: p.to,
      hours: JSON.stringify(p.hours),
    };
    await this.db.prisma.specialPeriod.upsert({
      where: { id: p.id },
      create: { id: p.id, ...data },
      update: data,
    });
  }

  async deleteSpecialPeriod(id: string): Promise<void> {
    await this.db.prisma.specialPeriod.deleteMany({ where: { id } });
  }
}
