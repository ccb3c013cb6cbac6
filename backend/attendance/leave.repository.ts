import type { ApprovalState, IsoDate, Leave, LeavePart } from '../domain/index.ts';
import type { Db } from '../repositories/db.ts';
import { jsonList, type SqliteConnection } from '../repositories/sqlite-connection.ts';

export type StoredLeave = Leave & {
  employeeId: string;
  part: LeavePart;
  documented: boolean;
  note: string | null;
  createdBy: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  createdAt: Date;
};

type Row = {
  id: string;
  employeeId: string;
  kind: string;
  dateFrom: string;
  dateTo: string;
  part: string;
  approval: string;
  documented: boolean;
  note: string | null;
  createdBy: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  createdAt: Date;
};

function toLeave(r: Row): StoredLeave {
  return {
    id: r.id,
    employeeId: r.employeeId,
    kind: r.kind,
    from: r.dateFrom,
    to: r.dateTo,
    part: r.part as LeavePart,
    approval: r.approval as ApprovalState,
    documented: r.documented,
    note: r.note,
    createdBy: r.createdBy,
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt,
    createdAt: r.createdAt,
  };
}

export type LeaveFilter = {
  employeeIds?: readonly string[] | undefined;
  from?: IsoDate | undefined;
  to?: IsoDate | undefined;
  approval?: ApprovalState | undefined;
};

/** A row as better-sqlite3 reads it: instants as Prisma's ISO text, booleans as 0/1. */
type SqliteRow = Omit<Row, 'documented' | 'decidedAt' | 'createdAt'> & {
  documented: number;
  decidedAt: string | null;
  createdAt: string;
};

/**
 * Leave and permits with their approval state. `fast` (SQLite): the recompute's read per
 * employee goes through the hot path's own connection (sqlite-connection.ts).
 */
export class LeaveRepository {
  constructor(
    private readonly db: Db,
    private readonly fast?: SqliteConnection,
  ) {}

  /** Leave overlapping [from, to] (inclusive dates). */
  async list(f: LeaveFilter, take = 10_000): Promise<StoredLeave[]> {
    const rows = await this.db.prisma.leaveRequest.findMany({
      where: {
        ...(f.employeeIds ? { employeeId: { in: [...f.employeeIds] } } : {}),
        ...(f.to ? { dateFrom: { lte: f.to } } : {}),
        ...(f.from ? { dateTo: { gte: f.from } } : {}),
        ...(f.approval ? { approval: f.approval } : {}),
      },
      orderBy: [{ dateFrom: 'asc' }, { id: 'asc' }],
      take,
    });
    return rows.map(toLeave);
  }

  /** Leave per employee overlapping [from, to], in chunks of employees (or for everybody). */
  async byEmployee(employeeIds: readonly string[] | null, from: IsoDate, to: IsoDate) {
    const out = new Map<string, StoredLeave[]>();
    const add = (rows: StoredLeave[]) => {
      for (const l of rows) {
        const list = out.get(l.employeeId);
        if (list) list.push(l);
        else out.set(l.employeeId, [l]);
      }
    };
    if (employeeIds === null) add(await this.list({ from, to }, 1_000_000));
    else if (this.fast) {
      const rows = this.fast
        .prepare(
          `SELECT id, employee_id AS employeeId, kind, date_from AS dateFrom, date_to AS dateTo, part, approval,
             documented, note, created_by AS createdBy, decided_by AS decidedBy, decided_at AS decidedAt,
             created_at AS createdAt
           FROM leave_request WHERE employee_id IN (SELECT value FROM json_each(?)) AND date_from <= ? AND date_to >= ?
           ORDER BY date_from, id`,
        )
        .all(jsonList(employeeIds), to, from) as SqliteRow[];
      add(
        rows.map((r) =>
          toLeave({
            ...r,
            documented: r.documented !== 0,
            decidedAt: r.decidedAt === null ? null : new Date(r.decidedAt),
            createdAt: new Date(r.createdAt),
          }),
        ),
      );
    } else {
      for (let i = 0; i < employeeIds.length; i += 500) {
        add(await this.list({ employeeIds: employeeIds.slice(i, i + 500), from, to }, 1_000_000));
      }
    }
    return out;
  }

  async get(id: string): Promise<StoredLeave | null> {
    const r = await this.db.prisma.leaveRequest.findUnique({ where: { id } });
    return r ? toLeave(r) : null;
  }

  async create(l: Omit<StoredLeave, 'createdAt' | 'decidedBy' | 'decidedAt'>): Promise<StoredLeave> {
    const r = await this.db.prisma.leaveRequest.create({
      data: {
        id: l.id,
        employeeId: l.employeeId,
        kind: l.kind,
        dateFrom: l.from,
        dateTo: l.to,
        part: l.part,
        approval: l.approval,
        documented: l.documented,
        note: l.note,
        createdBy: l.createdBy,
      },
    });
    return toLeave(r);
  }

  async update(
    id: string,
    data: Partial<{
      kind: string;
      from: IsoDate;
      to: IsoDate;
      part: LeavePart;
      documented: boolean;
      note: string | null;
      approval: ApprovalState;
      decidedBy: string;
      decidedAt: Date;
    }>,
  ): Promise<StoredLeave> {
    const { from, to, ...rest } = data;
    const r = await this.db.prisma.leaveRequest.update({
      where: { id },
      data: { ...rest, ...(from ? { dateFrom: from } : {}), ...(to ? { dateTo: to } : {}) },
    });
    return toLeave(r);
  }

  async delete(id: string): Promise<void> {
    await this.db.prisma.leaveRequest.deleteMany({ where: { id } });
  }
}
