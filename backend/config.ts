import { join } from 'node:path';
import { z } from 'zod';

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
  DEFAULT_TIME_ZONE: z.enum(['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura']).default('Asia/Jakarta'),
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
