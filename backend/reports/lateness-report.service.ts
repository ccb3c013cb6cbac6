/**
 * `/api/reports/lateness` and the daily report to BKD: the day's late arrivals, early departures
 * and absences, scoped to the caller's units. The daily job builds one report per site zone
 * (for the previous local date there) and puts it in the outbox for BKD.
 */
import type { Logger } from '../../lib/logger.ts';
import type { RulesConfigRepository } from '../attendance/rules-config.repository.ts';
import type { RulesContextService } from '../attendance/rules-context.service.ts';
import { todayIn, zoneOf } from '../attendance/rules-context.ts';
import { buildLatenessReport, type LatenessReport } from '../domain/lateness-report.ts';
import { addDays, type IsoDate } from '../domain/local-date.ts';
import type { JobOutcome } from '../jobs/job-outcome.ts';
import type { NotificationRepository } from '../notifications/notification.repository.ts';
import { latenessNotifications } from '../notifications/notification-plan.ts';
import { type Scope, scopedUnits } from '../services/scope.ts';
import type { ReportRepository } from './report.repository.ts';

export class LatenessReportService {
  constructor(
    private readonly o: {
      reports: ReportRepository;
      context: RulesContextService;
      config: RulesConfigRepository;
      notifications: NotificationRepository;
      log: Logger;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** The report for a date, limited to the caller's scope (and a unit, when asked). */
  async report(
    date: IsoDate,
    scope: Scope,
    f: { unitId?: string | undefined; employeeIds?: readonly string[] | undefined } = {},
  ): Promise<LatenessReport> {
    const unitIds = scopedUnits(scope, f.unitId);
    const days = await this.o.reports.daysOn(date, { unitIds, employeeIds: f.employeeIds });
    const [names, units] = await Promise.all([
      this.o.reports.employeeNames([...new Set(days.map((d) => d.employeeId))]),
      this.o.reports.unitNames(),
    ]);
    return buildLatenessReport(date, days, names, units);
  }

  /**
   * The daily job: for each zone of the sites in use, the previous local date's report goes to
   * BKD (inboxes and webhook), once (dedupe key per zone and date). A date without working days
   * there (weekend, holiday) is skipped.
   */
  /** The day before `atMs` (default now) in each zone: its report, once. */
  async sendDaily(atMs?: number): Promise<JobOutcome> {
    const now = atMs ?? this.now();
    const [ctx, employees] = await Promise.all([this.o.context.load(), this.o.config.activeEmployees()]);
    const byZone = new Map<string, string[]>();
    for (const e of employees) {
      const z = zoneOf(ctx, e);
      const list = byZone.get(z);
      if (list) list.push(e.nip);
      else byZone.set(z, [e.nip]);
    }
    const sent: string[] = [];
    const skipped: string[] = [];
    const bkd = await this.o.notifications.bkdUsers();
    for (const [zone, nips] of [...byZone].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const date = addDays(todayIn(zone, now), -1);
      // One zone (the usual case): no need to name its employees.
      const r = await this.report(date, { all: true }, { employeeIds: byZone.size > 1 ? nips : undefined });
      if (r.workingEmployees === 0) {
        skipped.push(`${zone} ${date}: no working day`);
        continue;
      }
      const rows = latenessNotifications({ zone, ...r }, bkd, new Date(this.now()));
      if (await this.o.notifications.enqueueOnce(rows)) {
        sent.push(`${zone} ${date}`);
        this.o.log.info({ zone, date, totals: r.totals }, 'daily lateness report queued for BKD');
      } else {
        skipped.push(`${zone} ${date}: already sent`);
      }
    }
    if (sent.length === 0) return { status: 'Skipped', reason: skipped.join('; ') || 'no employees' };
    return { status: 'Success', sent, skipped };
  }
}
