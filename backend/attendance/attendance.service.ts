/**
 * Day records for the REST API, punch corrections (audited; the original punch stays), explicit
 * recomputation, and the employee facts the rules use (site, direct superior, base amount).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.ts';
import {
  addDays,
  type DailyRecord,
  dayNumber,
  describeReason,
  IGNORED_PUNCH_REASONS,
  type IsoDate,
  localDateOf,
} from '../domain/index.ts';
import { AppError } from '../errors.ts';
import { type Scope, scopedUnits } from '../services/scope.ts';
import type { Session } from '../services/tokens.ts';
import { fromStoredDay, type StoredDay } from './daily-record.mapper.ts';
import type { DailyRecordRepository } from './daily-record.repository.ts';
import { dateRange } from './month-close.service.ts';
import type { PunchRepository, PunchSource } from './punch.repository.ts';
import type { RecomputeService } from './recompute.service.ts';
import type { EmployeeFacts, RulesConfigRepository } from './rules-config.repository.ts';
import type { RulesContextService } from './rules-context.service.ts';
import { zoneOf } from './rules-context.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The day's ignored punches traced to where they came from (`sources` from
 * PunchRepository.sourcesAt): the kiosk's event and terminal, or the admin's added punch. With
 * several sources at one instant, the day used the first and lists the others.
 */
function ignoredView(s: StoredDay, ignored: DailyRecord['ignoredPunches'], sources: SourceMap) {
  const seen = new Map<number, number>();
  return ignored.map((p) => {
    const list = sources.get(`${s.employeeId}|${p.at}`) ?? [];
    const listedHere = ignored.filter((q) => q.at === p.at).length;
    const j = seen.get(p.at) ?? 0;
    seen.set(p.at, j + 1);
    const source = list[list.length - listedHere + j];
    return {
      at: iso(p.at),
      eventId: source?.eventId ?? null,
      ...(source && 'terminalId' in source ? { terminalId: source.terminalId } : {}),
      ...(source && 'correctionId' in source ? { correctionId: source.correctionId } : {}),
      reason: p.reason,
      text: IGNORED_PUNCH_REASONS[p.reason],
    };
  });
}

type SourceMap = ReadonlyMap<string, readonly PunchSource[]>;
const NO_SOURCES: SourceMap = new Map();

/**
 * A stored day as the API shows it: the record with instants as ISO text and reasons worded;
 * `sources` traces the ignored punches (see `AttendanceService.dayViews`).
 */
export function dayView(s: StoredDay & { computedAt?: Date }, sources: SourceMap = NO_SOURCES) {
  const r = fromStoredDay(s);
  return {
    employeeId: s.employeeId,
    unitId: s.unitId,
    workDate: r.workDate,
    status: r.status,
    codes: r.codes,
    deductionBp: r.deductionBp,
    lateMinutes: r.lateMinutes,
    countedLateMinutes: r.countedLateMinutes,
    earlyMinutes: r.earlyMinutes,
    arrival: iso(r.arrival),
    departure: iso(r.departure),
    scheduleId: r.scheduleId,
    scheduledStart: iso(r.scheduledStart),
    scheduledEnd: iso(r.scheduledEnd),
    provisional: r.provisional,
    excused: r.excused,
    leave: r.leave,
    deductions: r.deductions,
    reasons: r.reasons.map((x) => ({ ...x, text: describeReason(x) })),
    ignoredPunches: ignoredView(s, r.ignoredPunches, sources),
    profile: r.profile,
    computedAt: s.computedAt?.toISOString() ?? null,
  };
}

export type CorrectionInput = {
  employeeId: string;
  action: 'Add' | 'Void';
  at?: string | undefined;
  eventId?: string | undefined;
  reason: string;
};

export class AttendanceService {
  constructor(
    private readonly o: {
      days: DailyRecordRepository;
      punches: PunchRepository;
      config: RulesConfigRepository;
      context: RulesContextService;
      recompute: RecomputeService;
      log: Logger;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** Day views, each ignored punch traced to its stored event (eventId, terminalId) or added punch. */
  async dayViews(rows: ReadonlyArray<StoredDay & { computedAt?: Date }>) {
    const listed = rows.flatMap((r) =>
      (r.detail.ignoredPunches ?? []).map((p) => ({ employeeId: r.employeeId, at: p.at })),
    );
    const sources = listed.length > 0 ? await this.o.punches.sourcesAt(listed) : NO_SOURCES;
    return rows.map((r) => dayView(r, sources));
  }

  /** The employee, if the caller may see them: 404 when unknown, 403 when outside the scope. */
  async employeeInScope(nip: string, scope: Scope): Promise<EmployeeFacts> {
    const [e] = await this.o.config.employees([nip]);
    if (!e) throw new AppError('NOT_FOUND', `no employee ${nip}`);
    if (!scope.all && !scope.unitIds.includes(e.unitId)) {
      throw new AppError('FORBIDDEN', 'employee outside your scope');
    }
    return e;
  }

  async listDays(
    q: {
      from: IsoDate;
      to: IsoDate;
      unitId?: string | undefined;
      employeeId?: string | undefined;
      status?: string | undefined;
      code?: string | undefined;
      take: number;
    },
    scope: Scope,
  ) {
    const unitIds = scopedUnits(scope, q.unitId);
    if (q.employeeId) await this.employeeInScope(q.employeeId, scope);
    const rows = await this.o.days.list({
      from: q.from,
      to: q.to,
      employeeIds: q.employeeId ? [q.employeeId] : undefined,
      unitIds,
      statuses: q.status ? [q.status] : undefined,
      take: q.take,
    });
    const code = q.code;
    return this.dayViews(code ? rows.filter((r) => r.codes.split(' ').includes(code)) : rows);
  }

  /** Records a correction with its reason and author, then recomputes the days it touches. */
  async correct(input: CorrectionInput, session: Session, scope: Scope) {
    const e = await this.employeeInScope(input.employeeId, scope);
    let at: number;
    let eventId: string | null = null;
    if (input.eventId) {
      if (input.action !== 'Void') throw new AppError('VALIDATION', 'eventId: only a Void names an event');
      const ev = await this.o.punches.event(input.eventId);
      if (!ev || ev.employeeId !== e.nip)
        throw new AppError('NOT_FOUND', `no punch ${input.eventId} of ${e.nip}`);
      at = ev.capturedAt.getTime();
      eventId = ev.id;
    } else if (input.at) {
      at = Date.parse(input.at);
    } else {
      throw new AppError('VALIDATION', 'at: required (or eventId, to void a punch)');
    }
    if (input.action === 'Void' && !eventId && !(await this.punchExists(e.nip, at))) {
      throw new AppError('VALIDATION', `no punch of ${e.nip} at ${new Date(at).toISOString()} to void`);
    }
    const correction = {
      id: randomUUID(),
      employeeId: e.nip,
      action: input.action,
      at,
      eventId,
      reason: input.reason,
      createdBy: session.sub,
      createdAt: this.now(),
    };
    await this.o.punches.addCorrection(correction);
    this.o.log.info(
      { correctionId: correction.id, employeeId: e.nip, action: input.action, by: session.username },
      'punch corrected',
    );
    const ctx = await this.o.context.load();
    const date = localDateOf(at, zoneOf(ctx, e));
    const dates = [addDays(date, -1), date, addDays(date, 1)];
    await this.o.recompute.recomputeNow([{ employeeId: e.nip, dates }]);
    const days = await this.o.days.forEmployees([e.nip], dates[0] as IsoDate, dates[2] as IsoDate);
    return {
      correction: { ...correction, at: iso(at), createdAt: iso(correction.createdAt) },
      days: await this.dayViews(days),
    };
  }

  private async punchExists(employeeId: string, at: number): Promise<boolean> {
    const from = new Date(at);
    const to = new Date(at + 1);
    const events = await this.o.punches.instants([employeeId], from, to);
    if ((events.get(employeeId)?.length ?? 0) > 0) return true;
    const corrections = await this.o.punches.corrections([employeeId], from, to);
    return corrections.some((c) => c.action === 'Add');
  }

  async listCorrections(q: { employeeId?: string | undefined; from?: string; to?: string }, scope: Scope) {
    let employeeIds: string[] | undefined;
    if (q.employeeId) employeeIds = [(await this.employeeInScope(q.employeeId, scope)).nip];
    else if (!scope.all) employeeIds = await this.o.config.nipsInUnits(scope.unitIds);
    const rows = await this.o.punches.listCorrections({
      employeeIds,
      ...(q.from ? { from: new Date(q.from) } : {}),
      ...(q.to ? { to: new Date(q.to) } : {}),
    });
    return rows.map((r) => ({
      ...r,
      punchAt: r.punchAt.toISOString(),
      createdAt: r.createdAt.toISOString(),
    }));
  }

  /** Recomputes a date range for an employee, a unit, or everybody in the caller's scope. */
  async recompute(
    q: { from: IsoDate; to: IsoDate; unitId?: string | undefined; employeeId?: string | undefined },
    scope: Scope,
  ) {
    if (q.to < q.from) throw new AppError('VALIDATION', 'to: must not be before from');
    if (dayNumber(q.to) - dayNumber(q.from) > 366)
      throw new AppError('VALIDATION', 'at most 367 days at once');
    const unitIds = scopedUnits(scope, q.unitId);
    const employees = q.employeeId
      ? [await this.employeeInScope(q.employeeId, scope)]
      : // Those who left or moved out of the units since `from` too: their days then are theirs.
        await this.o.config.activeEmployees(unitIds, q.from);
    const dates = dateRange(q.from, q.to);
    const before = this.o.recompute.stats.written;
    await this.o.recompute.recomputeNow(employees.map((e) => ({ employeeId: e.nip, dates })));
    return {
      employees: employees.length,
      dates: dates.length,
      written: this.o.recompute.stats.written - before,
    };
  }

  /** Site, direct superior and base amount of an employee; a changed site or unit recomputes nothing by itself. */
  async updateEmployee(
    nip: string,
    data: {
      siteId?: string | null | undefined;
      superiorNip?: string | null | undefined;
      baseAmount?: number | null | undefined;
      positionClass?: number | null | undefined;
    },
    scope: Scope,
  ) {
    await this.employeeInScope(nip, scope);
    if (data.siteId && !(await this.o.config.siteExists(data.siteId))) {
      throw new AppError('VALIDATION', `siteId: unknown site ${data.siteId}`);
    }
    if (data.superiorNip) {
      if (data.superiorNip === nip)
        throw new AppError('VALIDATION', 'superiorNip: not the employee themselves');
      if ((await this.o.config.employees([data.superiorNip])).length === 0) {
        throw new AppError('VALIDATION', `superiorNip: unknown employee ${data.superiorNip}`);
      }
    }
    const patch = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
    return this.o.config.updateEmployee(nip, patch);
  }
}
