import type { DayStatus, IsoDate } from '../domain/index.ts';
import type { Db } from '../repositories/db.ts';
import { jsonList, type SqliteConnection } from '../repositories/sqlite-connection.ts';
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

/** A row as better-sqlite3 reads it: instants as Prisma's ISO text, booleans as 0/1. */
type SqliteRow = Omit<Row, 'arrival' | 'departure' | 'provisional' | 'computedAt'> & {
  arrival: string | null;
  departure: string | null;
  provisional: number;
  computedAt: string;
};

function fromSqlite(r: SqliteRow): StoredDay & { computedAt: Date } {
  return {
    ...r,
    detail: JSON.parse(r.detail) as DayDetail,
    status: r.status as DayStatus,
    arrival: r.arrival === null ? null : Date.parse(r.arrival),
    departure: r.departure === null ? null : Date.parse(r.departure),
    provisional: r.provisional !== 0,
    computedAt: new Date(r.computedAt),
  };
}

const SQLITE_COLUMNS = `employee_id AS employeeId, work_date AS workDate, unit_id AS unitId, status, codes,
  late_minutes AS lateMinutes, early_minutes AS earlyMinutes, deduction_bp AS deductionBp, arrival, departure,
  provisional, detail, profile_id AS profileId, profile_version AS profileVersion, computed_at AS computedAt`;

export type DayQuery = {
  from: IsoDate;
  to: IsoDate;
  employeeIds?: readonly string[] | undefined;
  unitIds?: readonly string[] | undefined;
  statuses?: readonly string[] | undefined;
  take: number;
};

/**
 * The materialised `daily_record` table. `fast` (SQLite): the recompute's reads go through the
 * hot path's own connection (sqlite-connection.ts), whose cache holds the pages its writes touch;
 * without it, through Prisma.
 */
export class DailyRecordRepository {
  constructor(
    private readonly db: Db,
    private readonly fast?: SqliteConnection,
  ) {}

  /** Stored days of these employees between two dates (inclusive). */
  async forEmployees(employeeIds: readonly string[], from: IsoDate, to: IsoDate): Promise<StoredDay[]> {
    if (employeeIds.length === 0) return [];
    if (this.fast) {
      const rows = this.fast
        .prepare(
          `SELECT ${SQLITE_COLUMNS} FROM daily_record
           WHERE employee_id IN (SELECT value FROM json_each(?)) AND work_date >= ? AND work_date <= ?`,
        )
        .all(jsonList(employeeIds), from, to) as SqliteRow[];
      return rows.map(fromSqlite);
    }
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
    if (this.fast) {
      return this.fast
        .prepare(
          `SELECT employee_id AS employeeId, work_date AS workDate, status FROM daily_record
           WHERE employee_id IN (SELECT value FROM json_each(?)) AND work_date >= ? AND work_date <= ?
             AND status NOT IN ('OffDay', 'Holiday')`,
        )
        .all(jsonList(employeeIds), from, to) as Array<{
        employeeId: string;
        workDate: IsoDate;
        status: DayStatus;
      }>;
    }
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
