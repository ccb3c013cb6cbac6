import { join } from 'node:path';
import { z } from 'zod';
import { logSettingsOf } from '../lib/env-config.ts';
import type { LogSettings } from '../lib/logger.ts';
import { DEFAULT_MQTT_LIMITS, type MqttLimits } from './packet-limit.ts';

/**
 * What one MQTT connection may make the broker hold (issue #12): in both processes' schemas, the
 * backend's (embedded broker) and this one.
 */
export const MqttLimitsEnv = {
  /** Largest packet (remaining length) from a kiosk or a connection not yet authenticated; larger closes it. */
  MQTT_MAX_PACKET_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(268_435_455)
    .default(DEFAULT_MQTT_LIMITS.maxPacketBytes),
  /** A connection that has not sent its CONNECT within this is closed. */
  MQTT_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(DEFAULT_MQTT_LIMITS.connectTimeoutMs),
  /** Connections accepted and not yet authenticated at once; more are closed on accept. */
  MQTT_MAX_PENDING_CONNECTIONS: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_MQTT_LIMITS.maxPendingConnections),
};

export function mqttLimitsOf(e: {
  MQTT_MAX_PACKET_BYTES: number;
  MQTT_CONNECT_TIMEOUT_MS: number;
  MQTT_MAX_PENDING_CONNECTIONS: number;
}): MqttLimits {
  return Object.freeze({
    maxPacketBytes: e.MQTT_MAX_PACKET_BYTES,
    connectTimeoutMs: e.MQTT_CONNECT_TIMEOUT_MS,
    maxPendingConnections: e.MQTT_MAX_PENDING_CONNECTIONS,
  });
}

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
  ...MqttLimitsEnv,
});

export type BrokerConfig = Readonly<
  Omit<z.infer<typeof Env>, 'DATABASE_URL'> & {
    DATABASE_URL: string;
    serviceSecretFile: string;
    log: LogSettings;
    mqttLimits: MqttLimits;
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
    mqttLimits: mqttLimitsOf(r.data),
    DATABASE_URL: r.data.DATABASE_URL ?? `file:${join(r.data.DATA_DIR, 'attendance.db')}`,
    serviceSecretFile: join(r.data.DATA_DIR, 'mqtt-service-secret'),
  });
}
