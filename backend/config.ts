import { join } from 'node:path';
import { z } from 'zod';
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
  /** An external broker (e.g. `npm run broker` elsewhere); unset = aedes embedded in this process. */
  MQTT_URL: z.string().optional(),
  /** What a newly registered terminal is told to connect to. */
  PUBLIC_MQTT_URL: z.string().optional(),
  MQTT_SERVICE_SECRET: z.string().min(16).optional(),
  DATABASE_URL: z.string().optional(),
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
});

export type Config = Readonly<z.infer<typeof Env> & { serviceSecretFile: string; authSecretFile: string }>;

/** Validates the environment once at boot and lists every problem, not just the first. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const r = Env.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze({
    ...r.data,
    serviceSecretFile: join(r.data.DATA_DIR, 'mqtt-service-secret'),
    authSecretFile: join(r.data.DATA_DIR, 'auth-secret'),
  });
}
