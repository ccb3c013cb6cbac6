import { join } from 'node:path';
import { z } from 'zod';
import { logSettingsOf } from '../lib/env-config.ts';
import type { LogSettings } from '../lib/logger.ts';

/**
 * The environment of `npm run broker`, read once through this schema. The names and defaults are
 * the backend's (backend/config.ts), so one environment serves both processes.
 */
const Env = z.object({
  MQTT_PORT: z.coerce.number().int().min(0).max(65535).default(1883),
  MQTTS_PORT: z.coerce.number().int().min(0).max(65535).default(8883),
  MQTT_HOST: z.string().default('0.0.0.0'),
  MQTT_TLS_CERT: z.string().optional(),
  MQTT_TLS_KEY: z.string().optional(),
  MQTT_SERVICE_SECRET: z.string().min(16).optional(),
  DATA_DIR: z.string().default('./data'),
  /** The backend's database (migrated by the backend); unset = file:DATA_DIR/attendance.db. */
  DATABASE_URL: z.string().min(1).optional(),
});

export type BrokerConfig = Readonly<
  Omit<z.infer<typeof Env>, 'DATABASE_URL'> & {
    DATABASE_URL: string;
    serviceSecretFile: string;
    log: LogSettings;
  }
>;

/** Validates the environment and lists every problem, not just the first. */
export function loadBrokerConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): BrokerConfig {
  const r = Env.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    // A plain Error on purpose: a start-up configuration mistake, reported before anything runs.
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze({
    ...r.data,
    log: logSettingsOf(env),
    DATABASE_URL: r.data.DATABASE_URL ?? `file:${join(r.data.DATA_DIR, 'attendance.db')}`,
    serviceSecretFile: join(r.data.DATA_DIR, 'mqtt-service-secret'),
  });
}
