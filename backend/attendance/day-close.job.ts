/**
 * Materialises days that nothing else touched: an employee who never punched has no event to
 * trigger a recompute, yet the day must become TK. Periodically, every active employee's work
 * dates of the last LOOKBACK days (before today in their site's zone) without a settled record
 * are marked for recomputation; provisional ones (pending kiosk punches, an open window) too.
 * Idempotent: a settled day is not marked again. The server runs `runOnce` as the `day-close`
 * job under its database lease (backend/jobs), so with several instances one does it per
 * period; `start()` (a plain timer) remains for a process without the job runner.
 */
import type { Logger } from '../../lib/logger.ts';
import { addDays, type IsoDate, indexCalendar, localDateOf, planDay } from '../domain/index.ts';
import type { JobOutcome } from '../jobs/job-outcome.ts';
import type { DailyRecordRepository } from './daily-record.repository.ts';
import type { RecomputeService } from './recompute.service.ts';
import type { RulesConfigRepository } from './rules-config.repository.ts';
import type { RulesContextService } from './rules-context.service.ts';
import { employedOn, factsOn, scheduleById, scheduleIdFor, todayIn, zoneOf } from './rules-context.ts';

export class DayCloseJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<JobOutcome> | undefined;

  constructor(
    private readonly o: {
      context: RulesContextService;
      config: RulesConfigRepository;
      days: DailyRecordRepository;
      recompute: RecomputeService;
      log: Logger;
      intervalMs?: number;
      lookbackDays?: number;
      now?: () => number;
      /** Brings the employee rows to today's values first (PeopleService.syncToday). */
      syncPeople?: () => Promise<{ updated: number; ended: number }>;
    },
  ) {}

  start(firstRunAfterMs = 5_000): void {
    const tick = () => {
      this.running ??= this.runOnce().finally(() => {
        this.running = undefined;
      });
    };
    this.timer = setTimeout(() => {
      tick();
      this.timer = setInterval(tick, this.o.intervalMs ?? 15 * 60_000);
    }, firstRunAfterMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    await this.running;
  }

  async runOnce(): Promise<JobOutcome> {
    try {
      const now = (this.o.now ?? Date.now)();
      const lookback = this.o.lookbackDays ?? 7;
      const synced = await this.o.syncPeople?.();
      if (synced && synced.updated > 0) this.o.log.info(synced, 'day close: employee rows brought to today');
      // Those who left within the look-back too: their last days in service still need closing.
      const since = addDays(localDateOf(now, 'UTC'), -lookback - 1);
      const [ctx, employees] = await Promise.all([
        this.o.context.load(),
        this.o.config.activeEmployees(undefined, since),
      ]);
      if (employees.length === 0) {
        this.o.log.debug('day close: no employees');
        return { status: 'Success', marked: 0 };
      }
      const todays = employees.map((e) => todayIn(zoneOf(ctx, e), now));
      const latest = [...todays].sort().at(-1) as IsoDate;
      const settled = await this.o.days.settledKeys(addDays(latest, -lookback), latest);
      const marks: Array<{ employeeId: string; dates: IsoDate[] }> = [];
      let marked = 0;
      const calendar = indexCalendar(ctx.calendar);
      employees.forEach((e, i) => {
        const today = todays[i] as IsoDate;
        const dates: IsoDate[] = [];
        for (let d = 1; d <= lookback; d++) {
          const date = addDays(today, -d);
          // Outside the employment period nothing is owed (a punch there is recomputed by the ingest hook).
          if (!employedOn(e, date) || settled.has(`${e.nip}|${date}`)) continue;
          const f = factsOn(e, date);
          // A plain day off is not stored (a punch on it is recomputed by the ingest hook).
          const plan = planDay(
            scheduleById(ctx, scheduleIdFor(ctx, f, date)),
            date,
            zoneOf(ctx, f),
            calendar,
          );
          if (plan.kind === 'Off' && plan.holiday === null) continue;
          dates.push(date);
        }
        if (dates.length > 0) {
          marks.push({ employeeId: e.nip, dates });
          marked += dates.length;
        }
      });
      if (marks.length > 0) this.o.recompute.mark(marks);
      this.o.log.info({ marked, employees: employees.length }, 'day close: days marked for recomputation');
      return { status: 'Success', marked };
    } catch (err) {
      this.o.log.error({ err }, 'day close failed; next run retries');
      return { status: 'Failed', error: err instanceof Error ? err.message : String(err) };
    }
  }
}
