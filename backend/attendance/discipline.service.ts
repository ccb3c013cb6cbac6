/**
 * PP 94/2021 cases from the materialised days: after days change, the employee's unexcused
 * absence in the calendar year is counted again and planned by the pure rules in
 * domain/discipline-case.ts: one open case per employee, rule and year, which escalates when a
 * heavier level is reached (the lighter level superseded, kept in its history); a heavier level
 * after a decided case opens a new case that follows it. The people concerned are told once per
 * case and level, in the same transaction as the level is written, so running this twice tells
 * nobody twice. The system recommends; a person decides, and the decision is recorded on the case.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.ts';
import {
  type DisciplineThreshold,
  type LevelStep,
  PP94_CONSECUTIVE_THRESHOLD,
  PP94_CUMULATIVE_THRESHOLDS,
  planDisciplineCases,
  type Sanction,
  type summariseAbsence,
  thresholdByKey,
  thresholdKey,
} from '../domain/index.ts';
import { AppError } from '../errors.ts';
import { caseNotifications } from '../notifications/notification-plan.ts';
import type { Scope } from '../services/scope.ts';
import type { Session } from '../services/tokens.ts';
import type { DailyRecordRepository } from './daily-record.repository.ts';
import type {
  CaseLevelRow,
  CaseNotify,
  DisciplineCaseRow,
  DisciplineRepository,
  NewLevel,
} from './discipline.repository.ts';
import type { EmployeeFacts } from './rules-config.repository.ts';

const ALL_THRESHOLDS = [...PP94_CUMULATIVE_THRESHOLDS, PP94_CONSECUTIVE_THRESHOLD];
const FIRST_THRESHOLD = Math.min(...ALL_THRESHOLDS.map((t) => t.minDays));

/** A case with the levels it went through, lightest first (GET /api/discipline/:id). */
export type DisciplineCaseDetail = DisciplineCaseRow & { levels: CaseLevelRow[] };

function notifyOf(e: EmployeeFacts, t: DisciplineThreshold): CaseNotify[] {
  const notify: CaseNotify[] = [{ to: 'DirectSuperior', nip: e.superiorNip }];
  if (t.level !== 'Light') notify.push({ to: 'Bkd' });
  return notify;
}

export class DisciplineService {
  constructor(
    private readonly cases: DisciplineRepository,
    private readonly days: DailyRecordRepository,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * After a month close wrote many days at once: re-evaluates, among the employees closed, those
   * absent in that month whose count for the year reaches a threshold, and those who already have
   * a case in the year (their count may have gone down).
   */
  async evaluateAfterClose(
    closed: ReadonlyArray<{ employee: EmployeeFacts; absentDays: number }>,
    year: number,
  ): Promise<number> {
    const absent = closed.filter((c) => c.absentDays > 0).map((c) => c.employee.nip);
    const [counts, withCases] = await Promise.all([
      this.days.absenceCounts(absent, `${year}-01-01`, `${year}-12-31`),
      this.cases.employeesWithCases(year),
    ]);
    const candidates = closed
      .map((c) => c.employee)
      .filter((e) => (counts.get(e.nip) ?? 0) >= FIRST_THRESHOLD || withCases.has(e.nip));
    return candidates.length === 0 ? 0 : this.evaluate(candidates, [year]);
  }

  /** Re-evaluates these employees for these calendar years; returns the cases opened or escalated. */
  async evaluate(employees: readonly EmployeeFacts[], years: readonly number[]): Promise<number> {
    let changed = 0;
    for (const year of years) {
      // As many as a recompute slice holds (500): one pair of reads per slice.
      for (let i = 0; i < employees.length; i += 500) {
        const chunk = employees.slice(i, i + 500);
        // December of the year before too: a run of absences may cross New Year.
        const nips = chunk.map((e) => e.nip);
        const [statuses, cases] = await Promise.all([
          this.days.workingDayStatuses(nips, `${year - 1}-12-01`, `${year}-12-31`),
          this.cases.forEmployeesYear(nips, year),
        ]);
        const byEmployee = new Map<string, typeof statuses>();
        for (const s of statuses) {
          const list = byEmployee.get(s.employeeId);
          if (list) list.push(s);
          else byEmployee.set(s.employeeId, [s]);
        }
        for (const e of chunk) {
          changed += await this.evaluateOne(e, year, byEmployee.get(e.nip) ?? [], cases.get(e.nip) ?? []);
        }
      }
    }
    return changed;
  }

  private async evaluateOne(
    e: EmployeeFacts,
    year: number,
    statuses: Parameters<typeof summariseAbsence>[0],
    existing: readonly DisciplineCaseRow[],
  ): Promise<number> {
    const { state, actions } = planDisciplineCases(statuses, year, existing);
    let changed = 0;
    for (const a of actions) {
      if (a.kind === 'Refresh') {
        // A correction may take the count back below the case's level: flagged for review, not downgraded.
        await this.cases.update(a.caseId, {
          reviewNeeded: a.reviewNeeded,
          tkDays: state.tkDays,
          longestRun: state.longestTkRun,
        });
        continue;
      }
      const at = new Date(this.now());
      const notify = notifyOf(e, a.current);
      const current = {
        threshold: thresholdKey(a.current),
        level: a.current.level,
        sanction: a.current.sanction,
        label: a.current.label,
        tkDays: state.tkDays,
        longestRun: state.longestTkRun,
        notify,
      };
      const levels = a.levels.map((l) => this.newLevel(l, state, e, at));
      const id = a.kind === 'Open' ? randomUUID() : a.caseId;
      // Told in the same transaction as the level is written (RULES.md: the superior; BKD from medium).
      const recipients = await this.cases.recipients(e.superiorNip, e.unitId);
      const facts = {
        id,
        employeeId: e.nip,
        employeeName: e.name,
        unitId: e.unitId,
        year,
        ...current,
        superiorNip: e.superiorNip,
        // An escalation tells when the case was opened; the payload's reachedAt is when this level was.
        openedAt:
          (a.kind === 'Escalate' ? existing.find((x) => x.id === a.caseId)?.openedAt : undefined) ?? at,
        escalatedFrom: a.kind === 'Escalate' ? a.from : null,
      };
      const notes = caseNotifications(facts, recipients, a.current.level !== 'Light', at);
      const done =
        a.kind === 'Open'
          ? await this.cases.open(
              {
                id,
                employeeId: e.nip,
                unitId: e.unitId,
                year,
                basis: a.basis,
                ...current,
                superiorNip: e.superiorNip,
                previousCaseId: a.previousCaseId,
                openedAt: at,
              },
              levels,
              notes,
            )
          : await this.cases.escalate(id, a.from, current, levels, notes, at);
      if (!done) continue;
      changed++;
      this.log.info(
        {
          employeeId: e.nip,
          year,
          caseId: id,
          threshold: current.threshold,
          from: a.kind === 'Escalate' ? a.from : null,
          sanction: current.sanction,
          notify,
        },
        a.kind === 'Open' ? 'discipline case opened' : 'discipline case escalated',
      );
    }
    return changed;
  }

  private newLevel(
    l: LevelStep,
    state: { tkDays: number; longestTkRun: number },
    e: EmployeeFacts,
    at: Date,
  ): NewLevel {
    return {
      threshold: thresholdKey(l.threshold),
      level: l.threshold.level,
      sanction: l.threshold.sanction,
      label: l.threshold.label,
      tkDays: state.tkDays,
      longestRun: state.longestTkRun,
      reachedOn: l.reachedOn,
      supersededAt: l.supersededAtOnce ? at : null,
      // A level passed and superseded in the same evaluation is recorded, and nobody is told of it.
      notified: l.supersededAtOnce ? [] : notifyOf(e, l.threshold),
    };
  }

  list(
    scope: Scope,
    f: { state?: string | undefined; year?: number | undefined; employeeId?: string | undefined },
  ) {
    return this.cases.list({ ...f, unitIds: scope.all ? undefined : scope.unitIds });
  }

  private async visible(id: string, scope: Scope): Promise<DisciplineCaseRow> {
    const c = await this.cases.get(id);
    if (!c || (!scope.all && !scope.unitIds.includes(c.unitId)))
      throw new AppError('NOT_FOUND', 'no such case');
    return c;
  }

  /** The case with its history: every level it went through, lightest first, the current one last. */
  async get(id: string, scope: Scope): Promise<DisciplineCaseDetail> {
    const c = await this.visible(id, scope);
    const rank = (l: CaseLevelRow) => thresholdByKey(l.threshold)?.rank ?? 0;
    const levels = (await this.cases.levels(id)).sort((a, b) => rank(a) - rank(b));
    return { ...c, levels };
  }

  /**
   * Records the decision taken on the case's current level; medium and heavy cases are decided by
   * BKD's team. With `threshold`, the decision is refused (409) if the case escalated meanwhile.
   */
  async decide(
    id: string,
    body: { decision: string; sanction?: Sanction | undefined; threshold?: string | undefined },
    session: Session,
    scope: Scope,
  ): Promise<DisciplineCaseRow> {
    const c = await this.visible(id, scope);
    if (c.state === 'Decided') throw new AppError('CONFLICT', 'the case is already decided');
    if (body.threshold !== undefined && body.threshold !== c.threshold) {
      throw new AppError(
        'CONFLICT',
        `the case is now at ${c.threshold} (${c.sanction}), not ${body.threshold}: read it again`,
      );
    }
    if (c.level !== 'Light' && session.role !== 'BKD' && session.role !== 'SUPERADMIN') {
      throw new AppError('FORBIDDEN', `a ${c.level.toLowerCase()} case is decided by BKD`);
    }
    const decided = await this.cases.decide(id, {
      decision: body.decision,
      decidedSanction: body.sanction ?? c.sanction,
      decidedBy: session.sub,
      decidedAt: new Date(this.now()),
    });
    if (!decided) throw new AppError('CONFLICT', 'the case changed meanwhile: read it again');
    return decided;
  }
}
