/**
 * Composition root of the central server: database, broker (embedded unless
 * MQTT_URL points elsewhere), the ingest, the attendance rules (recompute on
 * every committed punch) and the REST API.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createBroker } from '../broker/broker.ts';
import { loadServiceSecret } from '../broker/credentials.ts';
import { excerptOf } from '../broker/ports.ts';
import { RejectionRepository } from '../broker/rejection.repository.ts';
import { type Listener, listenMqtt, listenMqtts } from '../broker/server.ts';
import type { DescriptorKind } from '../face/descriptor-models.ts';
import { FacePipeline } from '../face/pipeline.ts';
import { type Logger, logger } from '../lib/logger.ts';
import { createApp } from './api/app.ts';
import { attendanceModuleRoutes } from './api/attendance-module.routes.ts';
import { employeeCsvRoutes } from './api/employee-csv.routes.ts';
import { faceRoutes } from './api/faces.routes.ts';
import { jobRoutes } from './api/jobs.routes.ts';
import { notificationRoutes } from './api/notifications.routes.ts';
import { reportRoutes } from './api/reports.routes.ts';
import { siteRoutes } from './api/sites.routes.ts';
import { terminalRoutes } from './api/terminals.routes.ts';
import { unitRoutes } from './api/units.routes.ts';
import { userRoutes } from './api/users.routes.ts';
import { type Attendance, createAttendance } from './attendance/attendance.module.ts';
import { EmployeeCsvRepository } from './attendance/employee-csv.repository.ts';
import { EmployeeCsvService } from './attendance/employee-csv.service.ts';
import type { Config } from './config.ts';
import { type Database, migrateDatabase, openDatabase } from './db/database.ts';
import { CropVault } from './faces/crop-vault.ts';
import { FaceRepository } from './faces/face.repository.ts';
import { GalleryService } from './faces/gallery.service.ts';
import { PipelineEnroller } from './faces/pipeline-enroller.ts';
import { SiteFaceService } from './faces/site-face.service.ts';
import { IngestService } from './ingest/ingest.service.ts';
import { ServiceLink } from './ingest/service-link.ts';
import { createBackendJobs } from './jobs/backend-jobs.ts';
import { CronRepository } from './jobs/cron.repository.ts';
import { JobLeaseRepository } from './jobs/job-lease.repository.ts';
import { NotificationRepository } from './notifications/notification.repository.ts';
import { NotificationDispatcher } from './notifications/notification-dispatcher.service.ts';
import { NotificationInboxService } from './notifications/notification-inbox.service.ts';
import { WebhookSender } from './notifications/webhook.sender.ts';
import { LatenessReportService } from './reports/lateness-report.service.ts';
import { ReportRepository } from './reports/report.repository.ts';
import { AdminUserRepository } from './repositories/admin-user.repository.ts';
import type { Db } from './repositories/db.ts';
import { DirectoryRepository } from './repositories/directory.repository.ts';
import { EventRepository } from './repositories/event.repository.ts';
import { HealthRepository } from './repositories/health.repository.ts';
import { LoginThrottleRepository } from './repositories/login-throttle.repository.ts';
import { SiteRepository } from './repositories/site.repository.ts';
import { SqliteConnection } from './repositories/sqlite-connection.ts';
import { SqliteEventWriter } from './repositories/sqlite-event-writer.ts';
import { TerminalRepository } from './repositories/terminal.repository.ts';
import { UnitRepository } from './repositories/unit.repository.ts';
import { AuthService } from './services/auth.service.ts';
import { DirectoryService } from './services/directory.service.ts';
import { EventLogService } from './services/event-log.service.ts';
import { HealthService } from './services/health.service.ts';
import { LoginThrottle } from './services/login-throttle.service.ts';
import { SiteService } from './services/site.service.ts';
import { TerminalConfigService } from './services/terminal-config.service.ts';
import { TokenService } from './services/tokens.ts';
import { UnitService } from './services/unit.service.ts';
import { UnitTreeService } from './services/unit-tree.service.ts';
import { UserService } from './services/user.service.ts';

export const VERSION = '0.1.0';

export type RunningServer = {
  httpPort: number;
  mqttPort: number | undefined;
  mqttsPort: number | undefined;
  db: Db;
  ingest: IngestService;
  rejections: RejectionRepository;
  close(): Promise<void>;
};

/** The embedded broker (none when MQTT_URL names an external one) and the URL the service link uses. */
type BrokerPart = { mqttUrl: string; listeners: Listener[]; close(): Promise<void> };

async function startBroker(
  cfg: Config,
  d: { terminals: TerminalRepository; serviceSecret: string; rejections: RejectionRepository },
  log: Logger,
): Promise<BrokerPart> {
  if (cfg.MQTT_URL) return { mqttUrl: cfg.MQTT_URL, listeners: [], close: async () => undefined };
  const { aedes, handle } = await createBroker({
    directory: d.terminals,
    serviceSecret: d.serviceSecret,
    rejections: d.rejections,
    log: logger('broker'),
    limits: cfg.mqttLimits,
  });
  const listeners = [await listenMqtt(handle, cfg.MQTT_PORT, cfg.MQTT_HOST)];
  if (cfg.MQTT_TLS_CERT && cfg.MQTT_TLS_KEY) {
    listeners.push(
      await listenMqtts(handle, cfg.MQTTS_PORT, cfg.MQTT_HOST, cfg.MQTT_TLS_CERT, cfg.MQTT_TLS_KEY),
    );
  }
  log.info({ ports: listeners.map((l) => l.port) }, 'embedded broker listening');
  return {
    mqttUrl: `mqtt://127.0.0.1:${listeners[0]?.port}`,
    listeners,
    async close() {
      // A listener's close waits for its open connections, and connected kiosks never hang up on
      // their own (issue #12): stop accepting, then let aedes drop every client, then wait.
      const closed = listeners.map((l) => l.close());
      await new Promise<void>((r) => aedes.close(() => r()));
      await Promise.all(closed);
    },
  };
}

/** The backend's MQTT client: punches in (ingest), statuses in, configs and acks out. */
function startIngest(
  cfg: Config,
  d: {
    db: Db;
    mqttUrl: string;
    serviceSecret: string;
    terminals: TerminalRepository;
    events: EventRepository;
    rejections: RejectionRepository;
    attendance: Attendance;
  },
  log: Logger,
): { link: ServiceLink; ingest: IngestService; configs: TerminalConfigService } {
  let ingest: IngestService | undefined;
  const configs = new TerminalConfigService(
    d.terminals,
    { publish: (tid, payload) => link.publishConfig(tid, payload) },
    {
      defaultFaceModel: cfg.FACE_DESCRIPTOR,
      log: logger('terminal-config'),
      hours: (siteId) => d.attendance.kioskHours(siteId),
    },
  );
  const onlineTerminals = new Set<string>();
  const link = new ServiceLink({
    url: d.mqttUrl,
    secret: d.serviceSecret,
    instanceId: cfg.INSTANCE_ID,
    log: logger('service-link'),
    onEvent: (topic, payload) => ingest?.accept(topic, payload),
    onBadStatus: (tid, topic, r, raw) => {
      log.warn({ terminalId: tid, code: r.code, reason: r.reason }, 'status refused');
      d.rejections.record({
        source: 'ingest',
        terminalId: tid,
        topic,
        code: r.code,
        reason: r.reason,
        size: raw.length,
        excerpt: excerptOf(raw),
      });
    },
    onStatus: (tid, status) => {
      const online = status.state === 'online';
      // Once per connection (statuses repeat every 30 s): the first online status after an offline one.
      const cameOnline = online && !onlineTerminals.has(tid);
      if (online) onlineTerminals.add(tid);
      else onlineTerminals.delete(tid);
      if (cameOnline) {
        // A kiosk that just came online gets its config with the server's time, so it can tell
        // whether its clock (a Pi has no RTC) can be trusted for the punches it stamps.
        configs
          .sendTo(tid)
          .catch((err: unknown) => log.warn({ err, terminalId: tid }, 'could not send config'));
      }
      const at = new Date();
      const json = JSON.stringify(status);
      d.terminals
        .recordStatus(tid, online, json, at)
        // Days that waited for this kiosk's unsent punches are looked at again.
        .then((previous) =>
          d.attendance.onTerminalStatus(tid, previous, { lastStatus: json, lastStatusAt: at }),
        )
        .catch((err: unknown) => {
          log.warn({ err, terminalId: tid }, 'could not record terminal status');
        });
    },
  });
  ingest = new IngestService({
    store: d.events,
    rejections: d.rejections,
    acks: link,
    log: logger('ingest'),
    skewToleranceMs: cfg.CLOCK_SKEW_TOLERANCE_MS,
    onCommitted: d.attendance.onCommitted,
  });
  return { link, ingest, configs };
}

/** The periodic jobs, each period run once across instances under a lease in the database. */
function createJobs(cfg: Config, db: Db, attendance: Attendance, log: Logger) {
  const notifications = new NotificationRepository(db);
  const lateness = new LatenessReportService({
    reports: new ReportRepository(db),
    context: attendance.context,
    config: attendance.config,
    notifications,
    log: logger('reports'),
  });
  const jobs = createBackendJobs({
    leases: new JobLeaseRepository(db),
    cron: new CronRepository(),
    instanceId: cfg.INSTANCE_ID,
    ttlMs: cfg.JOB_LEASE_TTL_MS,
    settings: {
      timeZone: cfg.JOB_TIME_ZONE ?? cfg.DEFAULT_TIME_ZONE,
      dayCloseCron: cfg.DAY_CLOSE_CRON,
      latenessReportCron: cfg.LATENESS_REPORT_CRON,
      monthCloseCron: cfg.MONTH_CLOSE_CRON,
      dispatchEveryMs: cfg.NOTIFY_DISPATCH_INTERVAL_MS,
    },
    dayClose: attendance.dayClose,
    lateness,
    allowance: attendance.allowance,
    dispatcher: new NotificationDispatcher(notifications, {
      webhook: cfg.BKD_WEBHOOK_URL
        ? new WebhookSender({
            url: cfg.BKD_WEBHOOK_URL,
            secret: cfg.BKD_WEBHOOK_SECRET,
            timeoutMs: cfg.BKD_WEBHOOK_TIMEOUT_MS,
          })
        : undefined,
      retryBaseMs: cfg.NOTIFY_RETRY_BASE_MS,
      retryMaxMs: cfg.NOTIFY_RETRY_MAX_MS,
      inflightMs: 2 * cfg.BKD_WEBHOOK_TIMEOUT_MS,
      log: logger('notifications'),
    }),
    log: logger('jobs'),
  });
  if (cfg.BKD_WEBHOOK_URL) {
    const u = new URL(cfg.BKD_WEBHOOK_URL);
    if (u.protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(u.hostname)) {
      log.warn(
        { url: `${u.protocol}//${u.host}` },
        'BKD_WEBHOOK_URL is not https: NIPs, names and discipline cases would cross the network unencrypted',
      );
    }
  }
  return { jobs, notifications, lateness };
}

/** Enrollment and the kiosks' galleries: one pipeline per descriptor model a site uses, loaded on first use. */
async function startFaces(
  cfg: Config,
  d: { db: Db; link: ServiceLink; directory: DirectoryService; defaultKind: DescriptorKind },
): Promise<{ gallery: GalleryService; siteFaces: SiteFaceService; enroller: PipelineEnroller }> {
  // Enrollment photos are taken with care and must be better than a passing kiosk frame:
  // a stricter sharpness gate (a kiosk frame passes at 15; a sharp 250 px LFW photo measures ~70).
  const enroller = new PipelineEnroller((descriptor) =>
    FacePipeline.create({ engine: { descriptor, quality: { minSharpness: 40 } } }),
  );
  const faceRepo = new FaceRepository(d.db);
  const cropVault = new CropVault(cfg.FACE_CROP_KEY_FILE ?? join(cfg.DATA_DIR, 'face-crops.key'));
  const gallery = new GalleryService(
    faceRepo,
    enroller,
    d.link,
    (nip) => d.directory.unitOf(nip),
    logger('gallery'),
    { defaultKind: d.defaultKind, vault: cropVault },
  );
  const siteFaces = new SiteFaceService(faceRepo, gallery, cropVault, logger('site-faces'));
  await gallery.announceAll();
  return { gallery, siteFaces, enroller };
}

function listen(app: ReturnType<typeof createApp>, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
}

async function openStore(cfg: Config, log: Logger, t0: number) {
  await migrateDatabase(cfg.DATABASE_URL);
  const database: Database = await openDatabase(cfg.DATABASE_URL);
  const db: Db = { prisma: database.prisma, provider: database.provider };
  log.info({ provider: db.provider, ms: Date.now() - t0 }, 'database ready');
  const sqliteFile = database.provider === 'sqlite' ? database.url.replace(/^file:/, '') : undefined;
  // SQLite: one connection for the hot path (the ingest's inserts, the rules' writes and reads).
  const sqlite = sqliteFile ? new SqliteConnection(sqliteFile) : undefined;
  return { database, db, sqliteFile, sqlite, fastWriter: sqlite ? new SqliteEventWriter(sqlite) : undefined };
}

export async function startServer(cfg: Config): Promise<RunningServer> {
  const log = logger('backend');
  const t0 = Date.now();
  const { database, db, sqliteFile, sqlite, fastWriter } = await openStore(cfg, log, t0);
  const serviceSecret = loadServiceSecret(cfg.MQTT_SERVICE_SECRET, cfg.serviceSecretFile);
  const authSecret = loadServiceSecret(cfg.AUTH_SECRET, cfg.authSecretFile);
  const terminals = new TerminalRepository(db);
  const rejections = new RejectionRepository(db, logger('rejections'));
  const events = new EventRepository(db, fastWriter);
  const attendance = createAttendance(db, { log: logger, sqliteFile, sqlite });
  const broker = await startBroker(cfg, { terminals, serviceSecret, rejections }, log);
  const { link, ingest, configs } = startIngest(
    cfg,
    { db, mqttUrl: broker.mqttUrl, serviceSecret, terminals, events, rejections, attendance },
    log,
  );

  const adminUsers = new AdminUserRepository(db);
  const units = new UnitRepository(db);
  const unitTree = new UnitTreeService(units);
  const throttle = new LoginThrottle(
    new LoginThrottleRepository(db),
    {
      maxFailures: cfg.LOGIN_MAX_FAILURES,
      maxFailuresPerIp: cfg.LOGIN_MAX_FAILURES_PER_IP,
      lockMs: cfg.LOGIN_LOCK_MS,
    },
    logger('auth'),
  );
  const auth = new AuthService(adminUsers, new TokenService(authSecret), logger('auth'), unitTree, throttle);
  const sites = new SiteRepository(db);
  const directory = new DirectoryService(new DirectoryRepository(db), sites, terminals, () =>
    ingest.forgetEmployees(),
  );
  await directory.ensureDefaults(cfg.DEFAULT_TIME_ZONE);
  await auth.bootstrapAdmin(cfg.ADMIN_USERNAME, cfg.ADMIN_PASSWORD);
  // The day close runs as a leased job (below), not on the module's own timer.
  await attendance.start({ dayCloseJob: false });
  const { jobs, notifications, lateness } = createJobs(cfg, db, attendance, log);
  let bootDayClose: NodeJS.Timeout | undefined;
  if (cfg.JOBS_ENABLED) {
    jobs.start();
    // As before the scheduler: a fresh instance closes past days soon after it starts.
    bootDayClose = setTimeout(() => {
      jobs.runNow('day-close').catch((err: unknown) => log.warn({ err }, 'day close at start failed'));
    }, 5_000);
    bootDayClose.unref();
  }

  await link.start();
  const { gallery, siteFaces, enroller } = await startFaces(cfg, {
    db,
    link,
    directory,
    defaultKind: cfg.FACE_DESCRIPTOR,
  });
  // An employee whose service ended leaves the kiosks' galleries (their history stays).
  attendance.hooks.deactivated = async (nip, active) => {
    ingest.forgetEmployees();
    if (!active)
      await gallery.remove(nip, { all: true }).catch((err: unknown) => {
        log.warn({ err, nip }, 'could not remove an ended employee from the kiosk galleries');
      });
  };
  // The kiosks' work hours cover a week from today: keep them moving with the days.
  const configRefresh = setInterval(() => {
    configs.refreshAll().catch((err: unknown) => log.warn({ err }, 'config refresh failed'));
  }, cfg.CONFIG_REFRESH_MS);
  configRefresh.unref();

  const mqttPort = broker.listeners[0]?.port ?? cfg.MQTT_PORT;
  const health = new HealthService(new HealthRepository(db, cfg.DATA_DIR), {
    instanceId: cfg.INSTANCE_ID,
    minFreeMb: cfg.HEALTH_MIN_FREE_MB,
    brokerConnected: () => link.connected,
  });
  const app = createApp(
    {
      auth,
      directory,
      events: new EventLogService(events, directory),
      log: logger('api'),
      version: VERSION,
      trustProxy: cfg.TRUST_PROXY,
      health: () => health.report(),
    },
    [
      // Before the attendance module's GET /api/employees/:nip, which would take /api/employees/export.
      employeeCsvRoutes({
        csv: new EmployeeCsvService({
          repo: new EmployeeCsvRepository(db),
          people: attendance.services.people,
          log: logger('employee-csv'),
          // Imported employees: their punches are no longer of unknown NIPs.
          onCreated: () => ingest.forgetEmployees(),
        }),
      }),
      ...attendanceModuleRoutes(attendance.services),
      terminalRoutes({
        directory,
        mqttUrlFor: (req) => cfg.PUBLIC_MQTT_URL ?? `mqtt://${req.hostname}:${mqttPort}`,
        apiUrlFor: (req) =>
          cfg.PUBLIC_API_URL ?? `${req.protocol}://${req.get('host') ?? `${req.hostname}:${cfg.PORT}`}`,
      }),
      faceRoutes(gallery, directory, logger('faces')),
      siteRoutes(new SiteService(sites, configs, siteFaces)),
      unitRoutes(new UnitService(units, unitTree, logger('units'))),
      userRoutes({ users: new UserService(adminUsers, units, logger('users'), throttle), auth }),
      jobRoutes({ jobs }),
      notificationRoutes({ notifications: new NotificationInboxService(notifications) }),
      reportRoutes({ lateness }),
    ],
  );
  const http = await listen(app, cfg.PORT, cfg.HOST);
  const httpPort = (http.address() as AddressInfo).port;
  log.info({ httpPort, mqttUrl: broker.mqttUrl, ms: Date.now() - t0 }, 'server ready');

  return {
    httpPort,
    mqttPort: broker.listeners[0]?.port,
    mqttsPort: broker.listeners[1]?.port,
    db,
    ingest,
    rejections,
    async close() {
      clearInterval(configRefresh);
      const closed = new Promise<void>((r) => http.close(() => r()));
      http.closeAllConnections();
      await closed;
      await link.stop();
      await ingest.settled();
      clearTimeout(bootDayClose);
      await jobs.stop();
      await attendance.stop();
      await enroller.close();
      await rejections.flush();
      await broker.close();
      fastWriter?.close();
      sqlite?.close();
      await database.close();
    },
  };
}
