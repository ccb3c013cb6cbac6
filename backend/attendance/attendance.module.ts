/**
 * The attendance feature wired together: repositories, services, the recompute loop and the
 * day-close job. The composition root (backend/server.ts) passes `onCommitted` to the ingest,
 * `onTerminalStatus` to the kiosk status handler, and `services` to the REST API
 * (api/attendance-module.routes.ts): the feature knows nothing of HTTP.
 */
import type { Logger } from '../../lib/logger.ts';
import type { EventRow } from '../ingest/ports.ts';
import type { Db } from '../repositories/db.ts';
import { SqliteConnection } from '../repositories/sqlite-connection.ts';
import { AllowanceRepository } from './allowance.repository.ts';
import { AllowanceService } from './allowance.service.ts';
import { AttendanceService } from './attendance.service.ts';
import { type BulkWriter, JsonBulkWriter } from './bulk-writer.repository.ts';
import { CalendarRepository } from './calendar.repository.ts';
import { CalendarService } from './calendar.service.ts';
import { DailyRecordRepository } from './daily-record.repository.ts';
import { DayCloseJob } from './day-close.job.ts';
import { DisciplineRepository } from './discipline.repository.ts';
import { DisciplineService } from './discipline.service.ts';
import { kioskWorkHours } from './kiosk-hours.ts';
import { LeaveRepository } from './leave.repository.ts';
import { LeaveService } from './leave.service.ts';
import { MonthCloseService } from './month-close.service.ts';
import { PeopleRepository } from './people.repository.ts';
import { PeopleService } from './people.service.ts';
import { ProfileService } from './profile.service.ts';
import { ProfileAssignmentRepository } from './profile-assignment.repository.ts';
import { ProfileAssignmentService } from './profile-assignment.service.ts';
import { PunchRepository } from './punch.repository.ts';
import { type DayChange, RecomputeService } from './recompute.service.ts';
import { RulesConfigRepository } from './rules-config.repository.ts';
import { RulesContextService } from './rules-context.service.ts';
import type { RulesContext } from './rules-context.ts';
import { SqliteBulkWriter } from './sqlite-bulk-writer.repository.ts';

export type AttendanceOptions = {
  log: (ns: string) => Logger;
  /** The SQLite database file, for the hot path's own connection (unset: PostgreSQL). */
  sqliteFile?: string | undefined;
  /** That connection, shared with the ingest's event writer (the server's); else one of the module's own. */
  sqlite?: SqliteConnection | undefined;
  /** Debounce of the recompute loop (ms). */
  debounceMs?: number;
  /** Day-close job: period and how many days back it looks. */
  dayCloseIntervalMs?: number;
  dayCloseLookbackDays?: number;
  now?: () => number;
};

export function createAttendance(db: Db, opts: AttendanceOptions) {
  const now = opts.now ?? Date.now;
  const calendarRepo = new CalendarRepository(db);
  const config = new RulesConfigRepository(db);
  const ownSqlite =
    db.provider === 'sqlite' && !opts.sqlite && opts.sqliteFile
      ? new SqliteConnection(opts.sqliteFile)
      : undefined;
  const sqlite = db.provider === 'sqlite' ? (opts.sqlite ?? ownSqlite) : undefined;
  const punches = new PunchRepository(db, sqlite);
  const leaves = new LeaveRepository(db, sqlite);
  const days = new DailyRecordRepository(db, sqlite);
  const allowances = new AllowanceRepository(db, sqlite);
  const writer: BulkWriter = sqlite ? new SqliteBulkWriter(sqlite) : new JsonBulkWriter(db);
  const context = new RulesContextService(calendarRepo, config, opts.log('rules'), now);
  const discipline = new DisciplineService(new DisciplineRepository(db), days, opts.log('discipline'), now);
  const close = new MonthCloseService({ context, config, punches, leaves, allowances, writer, now });
  const allowance = new AllowanceService({
    close,
    allowances,
    days,
    config,
    discipline,
    log: opts.log('allowance'),
    now,
  });

  const followUp = async (changes: readonly DayChange[], ctx: RulesContext): Promise<void> => {
    await allowance.onDaysChanged(changes, ctx);
    // Only a change to or from an absent day can move the absence count.
    const absence = changes.filter((c) => (c.before?.status === 'Absent') !== (c.after.status === 'Absent'));
    const byYear = new Map<number, Map<string, DayChange['employee']>>();
    for (const c of absence) {
      const year = Number(c.after.workDate.slice(0, 4));
      const m = byYear.get(year) ?? new Map();
      m.set(c.employee.nip, c.employee);
      byYear.set(year, m);
    }
    for (const [year, employees] of byYear) await discipline.evaluate([...employees.values()], [year]);
  };

  const recompute = new RecomputeService({
    context,
    config,
    punches,
    leaves,
    days,
    writer,
    followUp,
    log: opts.log('recompute'),
    now,
    overlapFollowUps: db.provider === 'postgresql',
    ...(opts.debounceMs === undefined ? {} : { debounceMs: opts.debounceMs }),
  });
  const attendance = new AttendanceService({
    days,
    punches,
    config,
    context,
    recompute,
    log: opts.log('attendance'),
    now,
  });
  const calendar = new CalendarService({ calendar: calendarRepo, config, recompute, now });
  const leave = new LeaveService({
    leaves,
    days,
    config,
    attendance,
    recompute,
    log: opts.log('leave'),
    now,
  });
  const profiles = new ProfileService({ config, allowances, recompute, log: opts.log('profiles'), now });
  const profileAssignments = new ProfileAssignmentService({
    assignments: new ProfileAssignmentRepository(db),
    config,
    context,
    allowances,
    recompute,
    log: opts.log('profiles'),
    now,
  });
  /** Set by the composition root: what else follows an employee leaving (galleries, caches). */
  const hooks: { deactivated: (nip: string, active: boolean) => Promise<void> | void } = {
    deactivated: () => {},
  };
  const people = new PeopleService({
    people: new PeopleRepository(db),
    calendar: calendarRepo,
    recompute,
    now,
    onDeactivated: (nip, active) => hooks.deactivated(nip, active),
  });
  const job = new DayCloseJob({
    context,
    config,
    days,
    recompute,
    syncPeople: () => people.syncToday(),
    log: opts.log('day-close'),
    now,
    ...(opts.dayCloseIntervalMs === undefined ? {} : { intervalMs: opts.dayCloseIntervalMs }),
    ...(opts.dayCloseLookbackDays === undefined ? {} : { lookbackDays: opts.dayCloseLookbackDays }),
  });

  const statusLog = opts.log('recompute');

  return {
    /** What the REST API offers of the feature. */
    services: { attendance, calendar, leave, allowance, discipline, profiles, profileAssignments, people },
    hooks,
    recompute,
    close,
    allowance,
    /** The rules context and employee facts, for other features that read them (reports). */
    context,
    config,
    /** The day close; run by the server's leased scheduler when `start({ dayCloseJob: false })`. */
    dayClose: job,
    /** The coming days' work hours of a site's employees, for its kiosks' config. */
    kioskHours: async (siteId: string) => {
      const [ctx, employees] = await Promise.all([context.load(), config.activeEmployeesOfSite(siteId)]);
      return kioskWorkHours(ctx, siteId, employees, now());
    },
    /** For IngestService's `onCommitted`. */
    onCommitted: (rows: EventRow[]) => recompute.onCommitted(rows),
    /** A kiosk's retained status was stored: days waiting for its unsent punches are looked at again. */
    onTerminalStatus: (
      terminalId: string,
      previous: Parameters<RecomputeService['onTerminalStatus']>[1],
      current: Parameters<RecomputeService['onTerminalStatus']>[2],
    ) => {
      recompute.onTerminalStatus(terminalId, previous, current).catch((err: unknown) => {
        statusLog.warn({ err, terminalId }, 'could not recheck pending days');
      });
    },
    /** Seeds the default profile and schedule; starts the day-close job (unless told not to). */
    async start(o: { dayCloseJob?: boolean } = {}): Promise<void> {
      await context.ensureDefaults();
      if (o.dayCloseJob ?? true) job.start();
    },
    async stop(): Promise<void> {
      await job.stop();
      await recompute.stop();
      writer.close();
      ownSqlite?.close();
    },
  };
}

export type Attendance = ReturnType<typeof createAttendance>;
