/**
 * PP 94/2021 cases from the materialised days: after days change, the employee's unexcused
 * absence in the calendar year is counted again and each threshold reached gets its case (one
 * per employee, year and threshold, so running this twice opens nothing new). The system
 * recommends; a person decides, and the decision is recorded on the case.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.ts';
import {
  type DisciplineThreshold,
  PP94_CONSECUTIVE_THRESHOLD,
  PP94_CUMULATIVE_THRESHOLDS,
  recommendDiscipline,
  type Sanction,
  summariseAbsence,
} from '../domain/index.ts';
import { AppError } from '../errors.ts';
import { caseNotifications } from '../notifications/notification-plan.ts';
import type { Scope } from '../services/scope.ts';
import type { Session } from '../services/tokens.ts';
import type { DailyRecordRepository } from './daily-record.repository.ts';
import type { CaseNotify, DisciplineCaseRow, DisciplineRepository } from './discipline.repository.ts';
import type { EmployeeFacts } from './rules-config.repository.ts';

export function thresholdKey(t: DisciplineThreshold): string {
  return `${t.basis}:${t.minDays}`;
}

const ALL_THRESHOLDS = [...PP94_CUMULATIVE_THRESHOLDS, PP94_CONSECUTIVE_THRESHOLD];
const FIRST_THRESHOLD = Math.min(...ALL_THRESHOLDS.map((t) => t.minDays));

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

  /** Re-evaluates these employees for these calendar years; returns the cases opened. */
  async evaluate(employees: readonly EmployeeFacts[], years: readonly number[]): Promise<number> {
    let opened = 0;
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
          opened += await this.evaluateOne(e, year, byEmployee.get(e.nip) ?? [], cases.get(e.nip) ?? []);
        }
      }
    }
    return opened;
  }

  private async evaluateOne(
    e: EmployeeFacts,
    year: number,
    statuses: Parameters<typeof summariseAbsence>[0],
    existing: readonly DisciplineCaseRow[],
  ): Promise<number> {
    const state = summariseAbsence(statuses, year);
    const rec = recommendDiscipline(state);
    if (existing.length === 0 && !rec.recommended) return 0;
    let opened = 0;
    for (const t of [rec.cumulative, rec.consecutive]) {
      if (!t || existing.some((c) => c.threshold === thresholdKey(t))) continue;
      const notify: CaseNotify[] = [{ to: 'DirectSuperior', nip: e.superiorNip }];
      if (t.level !== 'Light') notify.push({ to: 'Bkd' });
      const c = {
        id: randomUUID(),
        employeeId: e.nip,
        unitId: e.unitId,
        year,
        threshold: thresholdKey(t),
        level: t.level,
        sanction: t.sanction,
        label: t.label,
        tkDays: state.tkDays,
        longestRun: state.longestTkRun,
        superiorNip: e.superiorNip,
        notify,
        reviewNeeded: false,
        openedAt: new Date(this.now()),
      };
      // Told in the same transaction as the case is opened (RULES.md: the superior; BKD from medium).
      const recipients = await this.cases.recipients(e.superiorNip, e.unitId);
      const notes = caseNotifications(
        { ...c, employeeName: e.name },
        recipients,
        t.level !== 'Light',
        c.openedAt,
      );
      const created = await this.cases.open(c, notes);
      if (created) {
        opened++;
        this.log.info(
          { employeeId: e.nip, year, threshold: thresholdKey(t), sanction: t.sanction, notify },
          'discipline case opened',
        );
      }
    }
    // A correction may take the count back below a threshold: flag its open case for review.
    for (const c of existing) {
      const t = ALL_THRESHOLDS.find((x) => thresholdKey(x) === c.threshold);
      if (!t || c.state !== 'Open') continue;
      const count = t.basis === 'Consecutive' ? state.longestTkRun : state.tkDays;
      const below = count < t.minDays;
      if (below !== c.reviewNeeded || c.tkDays !== state.tkDays || c.longestRun !== state.longestTkRun) {
        await this.cases.update(c.id, {
          reviewNeeded: below,
          tkDays: state.tkDays,
          longestRun: state.longestTkRun,
        });
      }
    }
    return opened;
  }

  list(
    scope: Scope,
    f: { state?: string | undefined; year?: number | undefined; employeeId?: string | undefined },
  ) {
    return this.cases.list({ ...f, unitIds: scope.all ? undefined : scope.unitIds });
  }

  /** Records the decision taken; medium and heavy cases are decided by BKD's team. */
  async decide(
    id: string,
    body: { decision: string; sanction?: Sanction | undefined },
    session: Session,
    scope: Scope,
  ): Promise<DisciplineCaseRow> {
    const c = await this.cases.get(id);
    if (!c || (!scope.all && !scope.unitIds.includes(c.unitId)))
      throw new AppError('NOT_FOUND', 'no such case');
    if (c.state === 'Decided') throw new AppError('CONFLICT', 'the case is already decided');
    if (c.level !== 'Light' && session.role !== 'BKD' && session.role !== 'SUPERADMIN') {
      throw new AppError('FORBIDDEN', `a ${c.level.toLowerCase()} case is decided by BKD`);
    }
    return this.cases.update(id, {
      state: 'Decided',
      decision: body.decision,
      decidedSanction: body.sanction ?? c.sanction,
      decidedBy: session.sub,
      decidedAt: new Date(this.now()),
    });
  }
}
