/**
 * Leave and permits with their approval state. A leave is requested (Pending), then approved,
 * rejected, or later cancelled; the days it covers are recomputed at each step, so leave
 * approved afterwards turns an absent (TK) day into an excused one.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.ts';
import type { ApprovalState, IsoDate, LeavePart } from '../domain/index.ts';
import { AppError } from '../errors.ts';
import type { Scope } from '../services/scope.ts';
import type { Session } from '../services/tokens.ts';
import type { AttendanceService } from './attendance.service.ts';
import type { DailyRecordRepository } from './daily-record.repository.ts';
import type { LeaveRepository, StoredLeave } from './leave.repository.ts';
import { dateRange } from './month-close.service.ts';
import type { RecomputeService } from './recompute.service.ts';
import type { RulesConfigRepository } from './rules-config.repository.ts';

export type LeaveCreate = {
  employeeId: string;
  kind: string;
  from: IsoDate;
  to: IsoDate;
  part?: LeavePart | undefined;
  documented?: boolean | undefined;
  note?: string | undefined;
};

/** Which decisions may follow which state. */
const NEXT: Record<ApprovalState, readonly ApprovalState[]> = {
  Pending: ['Approved', 'Rejected', 'Cancelled'],
  Approved: ['Cancelled'],
  Rejected: [],
  Cancelled: [],
};

export class LeaveService {
  constructor(
    private readonly o: {
      leaves: LeaveRepository;
      days: DailyRecordRepository;
      config: RulesConfigRepository;
      attendance: AttendanceService;
      recompute: RecomputeService;
      log: Logger;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  async list(
    q: {
      employeeId?: string | undefined;
      from?: IsoDate | undefined;
      to?: IsoDate | undefined;
      approval?: ApprovalState | undefined;
    },
    scope: Scope,
  ): Promise<StoredLeave[]> {
    if (q.employeeId) await this.o.attendance.employeeInScope(q.employeeId, scope);
    const employeeIds = q.employeeId
      ? [q.employeeId]
      : scope.all
        ? undefined
        : await this.o.config.nipsInUnits(scope.unitIds);
    return this.o.leaves.list({ ...q, employeeIds });
  }

  private async get(id: string, scope: Scope): Promise<StoredLeave> {
    const l = await this.o.leaves.get(id);
    if (!l) throw new AppError('NOT_FOUND', `no leave ${id}`);
    await this.o.attendance.employeeInScope(l.employeeId, scope);
    return l;
  }

  async create(input: LeaveCreate, session: Session, scope: Scope): Promise<StoredLeave> {
    const e = await this.o.attendance.employeeInScope(input.employeeId, scope);
    const leave = await this.o.leaves.create({
      id: randomUUID(),
      employeeId: e.nip,
      kind: input.kind,
      from: input.from,
      to: input.to,
      part: input.part ?? 'FullDay',
      approval: 'Pending',
      documented: input.documented ?? false,
      note: input.note ?? null,
      createdBy: session.sub,
    });
    // A pending leave excuses nothing, but the day records say it exists.
    this.o.recompute.mark([{ employeeId: e.nip, dates: dateRange(leave.from, leave.to) }]);
    return leave;
  }

  /** Approves, rejects or cancels; the covered days are recomputed before answering. */
  async decide(
    id: string,
    body: { approval: 'Approved' | 'Rejected' | 'Cancelled'; documented?: boolean | undefined },
    session: Session,
    scope: Scope,
  ) {
    const l = await this.get(id, scope);
    if (!NEXT[l.approval].includes(body.approval)) {
      throw new AppError(
        'CONFLICT',
        `a ${l.approval.toLowerCase()} leave cannot become ${body.approval.toLowerCase()}`,
      );
    }
    const leave = await this.o.leaves.update(id, {
      approval: body.approval,
      ...(body.documented === undefined ? {} : { documented: body.documented }),
      decidedBy: session.sub,
      decidedAt: new Date(this.now()),
    });
    this.o.log.info(
      { leaveId: id, employeeId: l.employeeId, approval: body.approval, by: session.username },
      'leave decided',
    );
    return { leave, days: await this.recomputeDays(leave) };
  }

  /** Edits a leave: its letter at any time; kind, dates and part only while it is pending. */
  async update(
    id: string,
    patch: {
      kind?: string | undefined;
      from?: IsoDate | undefined;
      to?: IsoDate | undefined;
      part?: LeavePart | undefined;
      documented?: boolean | undefined;
      note?: string | undefined;
    },
    scope: Scope,
  ) {
    const l = await this.get(id, scope);
    const { documented, note, ...terms } = patch;
    const changesTerms = Object.values(terms).some((v) => v !== undefined);
    if (changesTerms && l.approval !== 'Pending') {
      throw new AppError('CONFLICT', 'only a pending leave can change kind, dates or part');
    }
    const from = terms.from ?? l.from;
    const to = terms.to ?? l.to;
    if (to < from) throw new AppError('VALIDATION', 'to: must not be before from');
    const data = Object.fromEntries(
      Object.entries({ ...terms, documented, note }).filter(([, v]) => v !== undefined),
    ) as Parameters<LeaveRepository['update']>[1];
    const leave = await this.o.leaves.update(id, data);
    this.o.recompute.mark([{ employeeId: l.employeeId, dates: dateRange(l.from, l.to) }]);
    return { leave, days: await this.recomputeDays(leave) };
  }

  /** Only a leave that excuses nothing (pending, rejected, cancelled) may be deleted. */
  async delete(id: string, scope: Scope): Promise<void> {
    const l = await this.get(id, scope);
    if (l.approval === 'Approved')
      throw new AppError('CONFLICT', 'an approved leave is cancelled, not deleted');
    await this.o.leaves.delete(id);
    this.o.recompute.mark([{ employeeId: l.employeeId, dates: dateRange(l.from, l.to) }]);
  }

  private async recomputeDays(l: StoredLeave) {
    await this.o.recompute.recomputeNow([{ employeeId: l.employeeId, dates: dateRange(l.from, l.to) }]);
    const days = await this.o.days.forEmployees([l.employeeId], l.from, l.to);
    return this.o.attendance.dayViews(days);
  }
}
