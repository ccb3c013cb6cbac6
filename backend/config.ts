/**
 * The backend's (and the broker's) configuration: the environment read once, here, through one zod
 * schema that lists every problem at once; the result is frozen and passed down.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { MqttLimitsEnv, mqttLimitsOf } from '../broker/broker-config.ts';
import { DEFAULT_DESCRIPTOR, DESCRIPTOR_KINDS } from '../face/descriptor-kind.ts';
import { LogEnv, parseConfig, withoutEmpty } from '../lib/env-config.ts';
import type { LogSettings } from '../lib/logger.ts';
import { isValidCron } from './jobs/cron.repository.ts';

const Cron = (fallback: string) =>
  z.string().refine(isValidCron, { message: 'not a valid cron expression' }).default(fallback);

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  MQTT_PORT: z.coerce.number().int().min(0).max(65535).default(1883),
  MQTTS_PORT: z.coerce.number().int().min(0).max(65535).default(8883),
  MQTT_HOST: z.string().default('0.0.0.0'),
  MQTT_TLS_CERT: z.string().optional(),
  MQTT_TLS_KEY: z.string().optional(),
  ...MqttLimitsEnv,
  /** An external broker (e.g. `npm run broker` elsewhere); unset = aedes embedded in this process. */
  MQTT_URL: z.string().optional(),
  /** What a newly registered terminal is told to connect to; unset = mqtt://<host it was registered at>:<MQTT_PORT>. */
  PUBLIC_MQTT_URL: z
    .string()
    .regex(/^(mqtts?|wss?):\/\/[^/]/, 'expected mqtt://host:port (or mqtts://, ws://, wss://)')
    .optional(),
  /** The backend URL a newly registered terminal pulls its gallery from; unset = the URL it was registered at. */
  PUBLIC_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  MQTT_SERVICE_SECRET: z.string().min(16).optional(),
  /** SQLite `file:…` or `postgresql://…`; unset = `file:<DATA_DIR>/attendance.db`. */
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, 'expected file:… (SQLite) or postgresql://…')
    .optional(),
  /** The SQLite database (unless DATABASE_URL), the secret files and the crop key live here. */
  DATA_DIR: z.string().default('./data'),
  ADMIN_USERNAME: z.string().min(3).default('admin'),
  ADMIN_PASSWORD: z.string().min(8).optional(),
  AUTH_SECRET: z.string().min(16).optional(),
  INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('backend'),
  CLOCK_SKEW_TOLERANCE_MS: z.coerce.number().int().positive().default(120_000),
  /**
   * The key that seals kept enrollment crops (site photo evidence). Default DATA_DIR/face-crops.key,
   * made on first use; several backend instances must share one file.
   */
  FACE_CROP_KEY_FILE: z.string().min(1).optional(),
  /** How often every kiosk gets a fresh config (its work hours cover the coming week). */
  CONFIG_REFRESH_MS: z.coerce.number().int().positive().default(3_600_000),
  DEFAULT_TIME_ZONE: z.enum(['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura']).default('Asia/Jakarta'),
  /** Periodic jobs (backend/jobs), each run once per period across instances under a database lease. */
  JOBS_ENABLED: z.stringbool().default(true),
  /** The zone the cron expressions are read in; unset = DEFAULT_TIME_ZONE. */
  JOB_TIME_ZONE: z.enum(['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura']).optional(),
  DAY_CLOSE_CRON: Cron('*/15 * * * *'),
  /** The previous day's lateness report to BKD, per site zone. */
  LATENESS_REPORT_CRON: Cron('0 7 * * *'),
  /** Closes (writes, does not lock) the previous month's allowances and checks discipline. */
  MONTH_CLOSE_CRON: Cron('0 2 1 * *'),
  JOB_LEASE_TTL_MS: z.coerce.number().int().min(1000).default(60_000),
  /** How often due webhook notifications are sent, and the retry backoff (doubling, capped). */
  NOTIFY_DISPATCH_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
  NOTIFY_RETRY_BASE_MS: z.coerce.number().int().min(10).default(30_000),
  NOTIFY_RETRY_MAX_MS: z.coerce.number().int().min(10).default(3_600_000),
  /** BKD's webhook: a signed JSON POST per notification for BKD; unset = inboxes only. */
  BKD_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Key of the HMAC-SHA256 signature header (x-absensi-signature: sha256=<hex of "<timestamp>.<body>">). */
  BKD_WEBHOOK_SECRET: z.string().min(16).optional(),
  BKD_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** The server's descriptor model, for sites without their own (docs/FACE-ENGINE.md). */
  FACE_DESCRIPTOR: z.enum(DESCRIPTOR_KINDS).default(DEFAULT_DESCRIPTOR),
  /**
   * Express `trust proxy` (e.g. `loopback`, `1`, `10.0.0.0/8`): which proxies' X-Forwarded-For and
   * X-Forwarded-Proto are believed (client address for the login limit, https for HSTS). Unset: none.
   */
  TRUST_PROXY: z.string().optional(),
  /** Failed logins of one username (within LOGIN_LOCK_MS) that lock it for LOGIN_LOCK_MS. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  /** Failed logins from one client address (within LOGIN_LOCK_MS) that lock the address. */
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(20),
  LOGIN_LOCK_MS: z.coerce.number().int().min(1000).default(900_000),
  /** /api/health answers 503 when DATA_DIR's file system has less free space than this. */
  HEALTH_MIN_FREE_MB: z.coerce.number().min(0).default(200),
  ...LogEnv,
});

const Schema = Env.transform((e) => ({
  ...e,
  DATABASE_URL: e.DATABASE_URL ?? `file:${join(e.DATA_DIR, 'attendance.db')}`,
  serviceSecretFile: join(e.DATA_DIR, 'mqtt-service-secret'),
  authSecretFile: join(e.DATA_DIR, 'auth-secret'),
  mqttLimits: mqttLimitsOf(e),
  log: Object.freeze({ level: e.LOG_LEVEL, format: e.LOG_FORMAT }) as LogSettings,
}));

export type Config = Readonly<z.output<typeof Schema>>;

/**
 * Validates the environment once at boot; throws a ConfigError (lib/env-config.ts) listing every
 * problem, not just the first. An empty variable counts as unset.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  return parseConfig(Schema, withoutEmpty(env));
}
