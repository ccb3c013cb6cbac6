import { NotificationRepository } from '../notifications/notification.repository.ts';
import type { CaseFacts, CaseRecipients, OutboxRow } from '../notifications/notification-plan.ts';
import type { Db } from '../repositories/db.ts';

export type CaseNotify = { to: 'DirectSuperior'; nip: string | null } | { to: 'Bkd' };

/** A stored case: the facts a notification tells (CaseFacts) and its state. */
export type DisciplineCaseRow = Omit<CaseFacts, 'employeeName' | 'escalatedFrom'> & {
  /** The rule: Cumulative (TK days in the year) or Consecutive (10 working days in a row). */
  basis: 'Cumulative' | 'Consecutive';
  notify: CaseNotify[];
  state: 'Open' | 'Decided';
  reviewNeeded: boolean;
  previousCaseId: string | null;
  decision: string | null;
  decidedSanction: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
};

/** One level a case went through (discipline_case_level). */
export type CaseLevelRow = {
  threshold: string;
  level: string;
  sanction: string;
  label: string;
  tkDays: number;
  longestRun: number;
  reachedOn: string | null;
  reachedAt: Date;
  supersededAt: Date | null;
  notified: CaseNotify[];
};

/** The facts of the current level, written on the case when it is opened or escalates. */
export type CurrentLevel = Pick<
  DisciplineCaseRow,
  'threshold' | 'level' | 'sanction' | 'label' | 'tkDays' | 'longestRun' | 'notify'
>;

type Row = Omit<DisciplineCaseRow, 'notify' | 'state' | 'basis'> & {
  notify: string;
  state: string;
  basis: string;
};

function toCase(r: Row): DisciplineCaseRow {
  return {
    ...r,
    basis: r.basis as DisciplineCaseRow['basis'],
    notify: JSON.parse(r.notify) as CaseNotify[],
    state: r.state as DisciplineCaseRow['state'],
  };
}

function toLevel(r: Omit<CaseLevelRow, 'notified'> & { notified: string }): CaseLevelRow {
  return { ...r, notified: JSON.parse(r.notified) as CaseNotify[] };
}

const SELECT = {
  id: true,
  employeeId: true,
  unitId: true,
  year: true,
  basis: true,
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
  previousCaseId: true,
  decision: true,
  decidedSanction: true,
  decidedBy: true,
  decidedAt: true,
  openedAt: true,
} as const;

const LEVEL_SELECT = {
  threshold: true,
  level: true,
  sanction: true,
  label: true,
  tkDays: true,
  longestRun: true,
  reachedOn: true,
  reachedAt: true,
  supersededAt: true,
  notified: true,
} as const;

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'P2002';
}

/** The key that keeps one open case per employee, year and rule (unique; null once decided). */
export const openKeyOf = (c: { employeeId: string; year: number; basis: string }) =>
  `${c.employeeId}:${c.year}:${c.basis}`;

/** A level row to write: the levels passed, lightest first. */
export type NewLevel = Omit<CaseLevelRow, 'notified' | 'reachedAt'> & { notified: CaseNotify[] };

/** A race lost to another evaluation (or a decision) of the same case: nothing was written. */
class Superseded extends Error {}

/**
 * PP 94/2021 cases: one open case per employee, year and rule, with the levels it went through
 * (discipline_case_level). A case, its levels and the notifications they cause are written in
 * one transaction: all or nothing.
 */
export class DisciplineRepository {
  private readonly outbox: NotificationRepository;
  constructor(private readonly db: Db) {
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
    // Through Prisma, not the SQLite hot path's connection: the cases' columns changed with the
    // escalation work (a fast read of them is left for later).
    const rows = await this.db.prisma.disciplineCase.findMany({
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

  private levelRows(caseId: string, levels: readonly NewLevel[], at: Date) {
    return levels.map((l) => ({
      ...l,
      id: `${caseId}:${l.threshold}`,
      caseId,
      reachedAt: at,
      notified: JSON.stringify(l.notified),
    }));
  }

  /**
   * Opens a case with its levels unless the employee already has an open case of that rule in the
   * year (open_key); true when opened. Its notifications go in the same transaction.
   */
  async open(
    c: Omit<
      DisciplineCaseRow,
      'state' | 'reviewNeeded' | 'decision' | 'decidedSanction' | 'decidedBy' | 'decidedAt'
    >,
    levels: readonly NewLevel[],
    notifications: readonly OutboxRow[],
  ): Promise<boolean> {
    try {
      await this.db.prisma.$transaction(async (tx) => {
        await tx.disciplineCase.create({
          data: { ...c, notify: JSON.stringify(c.notify), state: 'Open', openKey: openKeyOf(c) },
          select: { id: true },
        });
        await tx.disciplineCaseLevel.createMany({ data: this.levelRows(c.id, levels, c.openedAt) });
        if (notifications.length > 0) await tx.notification.createMany({ data: outboxData(notifications) });
      });
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /**
   * Escalates an open case from threshold `from` to the last of `levels`: the current level is
   * superseded, the new ones are added, the case shows the new level. Applies only while the case
   * is still open at `from` (false otherwise: another evaluation or a decision came first).
   */
  async escalate(
    id: string,
    from: string,
    current: CurrentLevel,
    levels: readonly NewLevel[],
    notifications: readonly OutboxRow[],
    at: Date,
  ): Promise<boolean> {
    try {
      await this.db.prisma.$transaction(async (tx) => {
        const moved = await tx.disciplineCase.updateMany({
          where: { id, state: 'Open', threshold: from },
          data: { ...current, notify: JSON.stringify(current.notify), reviewNeeded: false },
        });
        if (moved.count !== 1) throw new Superseded();
        await tx.disciplineCaseLevel.updateMany({
          where: { caseId: id, supersededAt: null },
          data: { supersededAt: at },
        });
        await tx.disciplineCaseLevel.createMany({ data: this.levelRows(id, levels, at) });
        if (notifications.length > 0) await tx.notification.createMany({ data: outboxData(notifications) });
      });
      return true;
    } catch (err) {
      if (err instanceof Superseded || isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async update(
    id: string,
    data: Partial<Pick<DisciplineCaseRow, 'reviewNeeded' | 'tkDays' | 'longestRun'>>,
  ): Promise<void> {
    await this.db.prisma.disciplineCase.updateMany({ where: { id, state: 'Open' }, data });
  }

  /**
   * Records the decision on an open case; it leaves the open set (open_key null), so a heavier
   * level later opens a new case. Null when the case was not open any more.
   */
  async decide(
    id: string,
    d: Pick<DisciplineCaseRow, 'decision' | 'decidedSanction' | 'decidedBy' | 'decidedAt'>,
  ): Promise<DisciplineCaseRow | null> {
    const r = await this.db.prisma.disciplineCase.updateMany({
      where: { id, state: 'Open' },
      data: { ...d, state: 'Decided', openKey: null },
    });
    return r.count === 1 ? this.get(id) : null;
  }

  async get(id: string): Promise<DisciplineCaseRow | null> {
    const r = await this.db.prisma.disciplineCase.findUnique({ where: { id }, select: SELECT });
    return r ? toCase(r) : null;
  }

  /** The case's levels, lightest (earliest) first. */
  async levels(caseId: string): Promise<CaseLevelRow[]> {
    const rows = await this.db.prisma.disciplineCaseLevel.findMany({
      where: { caseId },
      select: LEVEL_SELECT,
      orderBy: [{ reachedAt: 'asc' }, { tkDays: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toLevel);
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

function outboxData(rows: readonly OutboxRow[]) {
  return rows.map((r) => ({ ...r, lastError: null }));
}
