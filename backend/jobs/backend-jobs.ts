/**
 * The backend's periodic jobs, registered on one JobRunner:
 * - `day-close`: marks unsettled past days for recomputation (DayCloseJob), DAY_CLOSE_CRON;
 * - `lateness-report`: the previous day's lateness report to BKD, per site zone, LATENESS_REPORT_CRON;
 * - `month-close`: on the 1st, closes the previous month's allowances (written, not locked) and
 *   runs the discipline check (AllowanceService.close), MONTH_CLOSE_CRON;
 * - `notification-dispatch`: sends due BKD webhook notifications, every NOTIFY_DISPATCH_INTERVAL_MS.
 */
import type { Logger } from '../../lib/logger.ts';
import type { AllowanceService } from '../attendance/allowance.service.ts';
import type { DayCloseJob } from '../attendance/day-close.job.ts';
import { todayIn } from '../attendance/rules-context.ts';
import { addMonths, type IsoMonth, monthOf } from '../domain/local-date.ts';
import type { NotificationDispatcher } from '../notifications/notification-dispatcher.service.ts';
import type { LatenessReportService } from '../reports/lateness-report.service.ts';
import type { CronPort } from './cron.repository.ts';
import type { JobLeaseRepository } from './job-lease.repository.ts';
import { failed, type JobOutcome } from './job-outcome.ts';
import { JobRunner, periodTime } from './job-runner.service.ts';

export type JobSettings = {
  timeZone: string;
  dayCloseCron: string;
  latenessReportCron: string;
  monthCloseCron: string;
  dispatchEveryMs: number;
};

/** The month before the one `nowMs` falls in, in the zone. */
export function previousMonth(nowMs: number, timeZone: string): IsoMonth {
  return addMonths(monthOf(todayIn(timeZone, nowMs)), -1);
}

export function createBackendJobs(d: {
  leases: JobLeaseRepository;
  cron: CronPort;
  instanceId: string;
  ttlMs: number;
  settings: JobSettings;
  dayClose: DayCloseJob;
  lateness: LatenessReportService;
  allowance: AllowanceService;
  dispatcher: NotificationDispatcher;
  log: Logger;
  now?: () => number;
}): JobRunner {
  const now = d.now ?? Date.now;
  const s = d.settings;
  const runner = new JobRunner({
    leases: d.leases,
    cron: d.cron,
    instanceId: d.instanceId,
    ttlMs: d.ttlMs,
    log: d.log,
    now,
  });
  const guard =
    (fn: (period: string) => Promise<JobOutcome>) =>
    async (period: string): Promise<JobOutcome> => {
      try {
        return await fn(period);
      } catch (err) {
        return failed(err);
      }
    };
  runner.register({
    name: 'day-close',
    description: 'Marks past days without a settled record for recomputation (TK for no punch at all)',
    schedule: { cron: s.dayCloseCron, timeZone: s.timeZone },
    run: guard(() => d.dayClose.runOnce()),
  });
  runner.register({
    name: 'lateness-report',
    description: "The previous day's late arrivals, early departures and absences, by unit, to BKD",
    schedule: { cron: s.latenessReportCron, timeZone: s.timeZone },
    run: guard((period) => d.lateness.sendDaily(periodTime(period, now()))),
  });
  runner.register({
    name: 'month-close',
    description: "Closes the previous month's allowances (not locked) and checks discipline thresholds",
    schedule: { cron: s.monthCloseCron, timeZone: s.timeZone },
    run: guard(async (period) => {
      const month = previousMonth(periodTime(period, now()), s.timeZone);
      const r = await d.allowance.close(month, undefined);
      return {
        status: 'Success',
        month,
        employees: r.employees,
        alreadyLocked: r.alreadyLocked,
        casesOpened: r.casesOpened,
      };
    }),
  });
  runner.register({
    name: 'notification-dispatch',
    description: 'Sends due BKD webhook notifications, retrying with backoff until a 2xx',
    schedule: { everyMs: s.dispatchEveryMs },
    run: guard(() => d.dispatcher.dispatchDue()),
  });
  return runner;
}
