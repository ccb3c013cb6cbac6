import { NotificationRepository } from '../notifications/notification.repository.ts';
import type { CaseFacts, CaseRecipients, OutboxRow } from '../notifications/notification-plan.ts';
import type { Db } from '../repositories/db.ts';
import { jsonList, type SqliteConnection } from '../repositories/sqlite-connection.ts';

export type CaseNotify = { to: 'DirectSuperior'; nip: string | null } | { to: 'Bkd' };

/** A stored case: the facts a notification tells (CaseFacts) and its state. */
export type DisciplineCaseRow = Omit<CaseFacts, 'employeeName'> & {
  notify: CaseNotify[];
  state: 'Open' | 'Decided';
  reviewNeeded: boolean;
  decision: string | null;
  decidedSanction: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
};

type Row = Omit<DisciplineCaseRow, 'notify' | 'state'> & { notify: string; state: string };

function toCase(r: Row): DisciplineCaseRow {
  return { ...r, notify: JSON.parse(r.notify) as CaseNotify[], state: r.state as DisciplineCaseRow['state'] };
}

const SELECT = {
  id: true,
  employeeId: true,
  unitId: true,
  year: true,
  threshold: true,
  level: true,
  sanction: true,
  label: true,
  tkDays: true,
  longestRun: true,
  superiorNip: true,
  notify: true,
  state: true,
  reviewNeeded: true,
  decision: true,
  decidedSanction: true,
  decidedBy: true,
  decidedAt: true,
  openedAt: true,
} as const;

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'P2002';
}

/** The columns of SELECT as better-sqlite3 reads them (instants as ISO text, booleans as 0/1). */
const SQLITE_SELECT = `id, employee_id AS employeeId, unit_id AS unitId, year, threshold, level, sanction, label,
  tk_days AS tkDays, longest_run AS longestRun, superior_nip AS superiorNip, notify, state,
  review_needed AS reviewNeeded, decision, decided_sanction AS decidedSanction, decided_by AS decidedBy,
  decided_at AS decidedAt, opened_at AS openedAt`;

type SqliteRow = Omit<Row, 'reviewNeeded' | 'decidedAt' | 'openedAt'> & {
  reviewNeeded: number;
  decidedAt: string | null;
  openedAt: string;
};

/**
 * PP 94/2021 cases: one per employee, year and threshold. `fast` (SQLite): the recompute's read
 * of a chunk's cases goes through the hot path's own connection (sqlite-connection.ts).
 */
export class DisciplineRepository {
  private readonly outbox: NotificationRepository;
  constructor(
    private readonly db: Db,
    private readonly fast?: SqliteConnection,
  ) {
    this.outbox = new NotificationRepository(db);
  }

  /** Who is told of a case of this employee (see NotificationRepository.recipientsOf). */
  recipients(superiorNip: string | null, unitId: string): Promise<CaseRecipients> {
    return this.outbox.recipientsOf(superiorNip, unitId);
  }

  /** The cases of these employees in a year, by NIP (one query for a recompute's chunk). */
  async forEmployeesYear(
    employeeIds: readonly string[],
    year: number,
  ): Promise<Map<string, DisciplineCaseRow[]>> {
    const rows: Row[] = this.fast
      ? (
          this.fast
            .prepare(
              `SELECT ${SQLITE_SELECT} FROM discipline_case
               WHERE employee_id IN (SELECT value FROM json_each(?)) AND year = ?`,
            )
            .all(jsonList(employeeIds), year) as SqliteRow[]
        ).map((r) => ({
          ...r,
          reviewNeeded: r.reviewNeeded !== 0,
          decidedAt: r.decidedAt === null ? null : new Date(r.decidedAt),
          openedAt: new Date(r.openedAt),
        }))
      : await this.db.prisma.disciplineCase.findMany({
          where: { employeeId: { in: [...employeeIds] }, year },
          select: SELECT,
        });
    const out = new Map<string, DisciplineCaseRow[]>();
    for (const r of rows) {
      const list = out.get(r.employeeId);
      if (list) list.push(toCase(r));
      else out.set(r.employeeId, [toCase(r)]);
    }
    return out;
  }

  /** NIPs with any case in the year. */
  async employeesWithCases(year: number): Promise<Set<string>> {
    const rows = await this.db.prisma.disciplineCase.findMany({
      where: { year },
      select: { employeeId: true },
      distinct: ['employeeId'],
    });
    return new Set(rows.map((r) => r.employeeId));
  }

  /**
   * Opens a case unless one exists for the same employee, year and threshold; true when opened.
   * Its notifications go into the outbox in the same transaction: both or neither.
   */
  async open(
    c: Omit<DisciplineCaseRow, 'state' | 'decision' | 'decidedSanction' | 'decidedBy' | 'decidedAt'>,
    notifications: readonly OutboxRow[] = [],
  ) {
    try {
      const create = this.db.prisma.disciplineCase.create({
        data: { ...c, notify: JSON.stringify(c.notify), state: 'Open' },
        select: { id: true },
      });
      if (notifications.length === 0) await create;
      else await this.db.prisma.$transaction([create, this.outbox.insertStatement(notifications)]);
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async update(
    id: string,
    data: Partial<
      Pick<
        DisciplineCaseRow,
        | 'reviewNeeded'
        | 'tkDays'
        | 'longestRun'
        | 'state'
        | 'decision'
        | 'decidedSanction'
        | 'decidedBy'
        | 'decidedAt'
      >
    >,
  ): Promise<DisciplineCaseRow> {
    return toCase(await this.db.prisma.disciplineCase.update({ where: { id }, data, select: SELECT }));
  }

  async get(id: string): Promise<DisciplineCaseRow | null> {
    const r = await this.db.prisma.disciplineCase.findUnique({ where: { id }, select: SELECT });
    return r ? toCase(r) : null;
  }

  async list(f: {
    unitIds?: readonly string[] | undefined;
    employeeId?: string | undefined;
    state?: string | undefined;
    year?: number | undefined;
  }): Promise<DisciplineCaseRow[]> {
    const rows = await this.db.prisma.disciplineCase.findMany({
      where: {
        ...(f.unitIds ? { unitId: { in: [...f.unitIds] } } : {}),
        ...(f.employeeId ? { employeeId: f.employeeId } : {}),
        ...(f.state ? { state: f.state } : {}),
        ...(f.year ? { year: f.year } : {}),
      },
      orderBy: [{ openedAt: 'asc' }, { id: 'asc' }],
      select: SELECT,
      take: 10_000,
    });
    return rows.map(toCase);
  }
}
