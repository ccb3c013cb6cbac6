import type { DayStatus, IsoDate } from '../domain/index.ts';
import type { Db } from '../repositories/db.ts';
import type { DayDetail, StoredDay } from './daily-record.mapper.ts';

type Row = {
  employeeId: string;
  workDate: string;
  unitId: string;
  status: string;
  codes: string;
  lateMinutes: number | null;
  earlyMinutes: number | null;
  deductionBp: number;
  arrival: Date | null;
  departure: Date | null;
  provisional: boolean;
  detail: string;
  profileId: string;
  profileVersion: number;
  computedAt: Date;
};

function toStored(r: Row): StoredDay {
  return {
    ...r,
    detail: JSON.parse(r.detail) as DayDetail,
    status: r.status as DayStatus,
    arrival: r.arrival?.getTime() ?? null,
    departure: r.departure?.getTime() ?? null,
  };
}

export type DayQuery = {
  from: IsoDate;
  to: IsoDate;
  employeeIds?: readonly string[] | undefined;
  unitIds?: readonly string[] | undefined;
  statuses?: readonly string[] | undefined;
  take: number;
};

/** The materialised `daily_record` table. */
export class DailyRecordRepository {
  constructor(private readonly db: Db) {}

  /** Stored days of these employees between two dates (inclusive). */
  async forEmployees(employeeIds: readonly string[], from: IsoDate, to: IsoDate): Promise<StoredDay[]> {
    if (employeeIds.length === 0) return [];
    const rows = await this.db.prisma.dailyRecord.findMany({
      where: { employeeId: { in: [...employeeIds] }, workDate: { gte: from, lte: to } },
    });
    return rows.map(toStored);
  }

  async list(q: DayQuery): Promise<Array<StoredDay & { computedAt: Date }>> {
    const rows = await this.db.prisma.dailyRecord.findMany({
      where: {
        workDate: { gte: q.from, lte: q.to },
        ...(q.employeeIds ? { employeeId: { in: [...q.employeeIds] } } : {}),
        ...(q.unitIds ? { unitId: { in: [...q.unitIds] } } : {}),
        ...(q.statuses ? { status: { in: [...q.statuses] } } : {}),
      },
      orderBy: [{ workDate: 'asc' }, { employeeId: 'asc' }],
      take: q.take,
    });
    return rows.map((r) => ({ ...toStored(r), computedAt: r.computedAt }));
  }

  /** Keys `employee|date` of settled (not provisional) records between two dates. */
  async settledKeys(from: IsoDate, to: IsoDate): Promise<Set<string>> {
    const rows = await this.db.prisma.dailyRecord.findMany({
      where: { workDate: { gte: from, lte: to }, provisional: false },
      select: { employeeId: true, workDate: true },
    });
    return new Set(rows.map((r) => `${r.employeeId}|${r.workDate}`));
  }

  /** Days since `from` waiting for a kiosk's unsent punches, of employees for whom `keep` says yes. */
  async pendingDays(
    from: IsoDate,
    keep: (employeeId: string) => boolean,
  ): Promise<Array<{ employeeId: string; workDate: IsoDate }>> {
    const rows = await this.db.prisma.dailyRecord.findMany({
      where: { workDate: { gte: from }, status: 'Pending' },
      select: { employeeId: true, workDate: true },
    });
    return rows.filter((r) => keep(r.employeeId));
  }

  /** Unexcused absent days per employee between two dates (inclusive). */
  async absenceCounts(
    employeeIds: readonly string[],
    from: IsoDate,
    to: IsoDate,
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < employeeIds.length; i += 500) {
      const rows = await this.db.prisma.dailyRecord.groupBy({
        by: ['employeeId'],
        where: {
          employeeId: { in: employeeIds.slice(i, i + 500) },
          workDate: { gte: from, lte: to },
          status: 'Absent',
        },
        _count: { _all: true },
      });
      for (const r of rows) out.set(r.employeeId, r._count._all);
    }
    return out;
  }

  /** Statuses of working days (not off days or holidays) for counting unexcused absence. */
  async workingDayStatuses(
    employeeIds: readonly string[],
    from: IsoDate,
    to: IsoDate,
  ): Promise<Array<{ employeeId: string; workDate: IsoDate; status: DayStatus }>> {
    if (employeeIds.length === 0) return [];
    const rows = await this.db.prisma.dailyRecord.findMany({
      where: {
        employeeId: { in: [...employeeIds] },
        workDate: { gte: from, lte: to },
        status: { notIn: ['OffDay', 'Holiday'] },
      },
      select: { employeeId: true, workDate: true, status: true },
    });
    return rows.map((r) => ({ ...r, status: r.status as DayStatus }));
  }
}
