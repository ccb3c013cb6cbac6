/**
 * The kiosk's configuration (`npm run terminal -- [options]`), read once: flags, then the kiosk file
 * (`--config FILE`: the `kiosk` field of `POST /api/terminals`, or that whole answer), then the
 * environment, then defaults; one zod schema, every problem listed at once, the result frozen.
 *
 *   --config FILE                        the kiosk file from the registration (env TERMINAL_CONFIG)
 *   --id, --secret, --mqtt-url, --site   override the file (env TERMINAL_ID, TERMINAL_SECRET, MQTT_URL,
 *                                        TERMINAL_SITE); default broker mqtt://127.0.0.1:1883
 *   --api-url URL                        backend for the gallery pull (env TERMINAL_API_URL; default
 *                                        http://<broker host>:8080; "none": local gallery only)
 *   --data-dir DIR                       outbox, gallery and last config (env TERMINAL_DATA_DIR;
 *                                        default ./data/terminal)
 *
 * Punches from faces (one of):
 *   --video FILE [--realtime]            a video file (--realtime: at its own pace, dropping frames like a camera)
 *   --images DIR [--repeat N]            a folder of pictures in natural order, each shown N frames
 *                                        (a recognition needs 3 agreeing frames: one frame per picture
 *                                        punches nobody)
 *   --camera [/dev/video0] [--rpicam]    a V4L2 camera through ffmpeg, or the Pi camera through rpicam-vid
 *     --width/--height/--fps/--hflip     camera settings
 *   --liveness off|active|strict         local liveness floor (env TERMINAL_LIVENESS); the backend's
 *                                        config can raise it, not lower it
 *   --workers 1|2                        face engine worker threads
 *   --gallery-wait-ms N                  files: wait up to N ms for the first gallery pull (default 10000)
 * or from a simulator:
 *   --simulate --employees NIP,NIP --count N --rate R
 *
 *   --exit-when-drained                  exit 0 once the source is done and every punch is acknowledged
 *   --ack-timeout-ms N                   resend a punch not acknowledged within N ms (default 10000)
 * Environment only: FACE_DESCRIPTOR (model until the site's is known), LOG_LEVEL, LOG_FORMAT.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_DESCRIPTOR, DESCRIPTOR_KINDS } from '../face/descriptor-kind.ts';
import { LIVENESS_LEVELS } from '../face/liveness.ts';
import { ConfigError, LogEnv, logSettingsOf, problemsOf, withoutEmpty } from '../lib/env-config.ts';
import type { LogSettings } from '../lib/logger.ts';
import { KioskFile, kioskFileOf } from '../protocol/kiosk-file.ts';

export const DEFAULT_MQTT_URL = 'mqtt://127.0.0.1:1883';

const FLAGS = {
  config: { type: 'string' },
  id: { type: 'string' },
  secret: { type: 'string' },
  'mqtt-url': { type: 'string' },
  site: { type: 'string' },
  'api-url': { type: 'string' },
  'data-dir': { type: 'string' },
  simulate: { type: 'boolean' },
  employees: { type: 'string' },
  count: { type: 'string' },
  rate: { type: 'string' },
  video: { type: 'string' },
  realtime: { type: 'boolean' },
  images: { type: 'string' },
  repeat: { type: 'string' },
  camera: { type: 'string' },
  rpicam: { type: 'boolean' },
  width: { type: 'string' },
  height: { type: 'string' },
  fps: { type: 'string' },
  hflip: { type: 'boolean' },
  liveness: { type: 'string' },
  workers: { type: 'string' },
  'gallery-wait-ms': { type: 'string' },
  'ack-timeout-ms': { type: 'string' },
  'exit-when-drained': { type: 'boolean' },
} as const;

const int = (min: number) => z.coerce.number().int().min(min);

const Schema = z
  .object({
    id: z.string({ error: 'required: the terminal id from POST /api/terminals' }).min(1),
    secret: z.string({ error: 'required: the terminal secret from POST /api/terminals' }).min(1),
    mqttUrl: KioskFile.shape.mqttUrl.default(DEFAULT_MQTT_URL),
    apiUrl: z.union([z.literal('none'), z.url({ protocol: /^https?$/ })]).optional(),
    site: z.string().min(1).optional(),
    dataDir: z.string().min(1).default('./data/terminal'),
    simulate: z.boolean().default(false),
    employees: z
      .string()
      .default('199001012015011001')
      .transform((s) => s.split(',').filter(Boolean))
      .refine((l) => l.length > 0, 'at least one NIP'),
    count: int(0).default(10),
    rate: z.coerce.number().min(0).default(1),
    video: z.string().min(1).optional(),
    realtime: z.boolean().default(false),
    images: z.string().min(1).optional(),
    repeat: int(1).max(100).default(1),
    camera: z.string().min(1).optional(),
    rpicam: z.boolean().default(false),
    width: int(16).default(640),
    height: int(16).default(480),
    fps: int(1).default(15),
    hflip: z.boolean().default(false),
    liveness: z.enum(LIVENESS_LEVELS).default('off'),
    workers: z
      .enum(['1', '2'])
      .transform((w) => (w === '1' ? 1 : 2) as 1 | 2)
      .optional(),
    galleryWaitMs: int(0).default(10_000),
    ackTimeoutMs: int(1).default(10_000),
    exitWhenDrained: z.boolean().default(false),
    fault: z.literal('crash-after-outbox-write').optional(),
    faceDescriptor: z.enum(DESCRIPTOR_KINDS).default(DEFAULT_DESCRIPTOR),
    LOG_LEVEL: LogEnv.LOG_LEVEL,
    LOG_FORMAT: LogEnv.LOG_FORMAT,
  })
  .transform(({ LOG_LEVEL, LOG_FORMAT, ...c }) => ({
    ...c,
    /** Where the gallery is pulled from: given, else the broker's host on the API's default port. */
    apiUrl: c.apiUrl === 'none' ? undefined : (c.apiUrl ?? defaultApiUrl(c.mqttUrl)),
    log: Object.freeze({ level: LOG_LEVEL, format: LOG_FORMAT }) as LogSettings,
  }));

export type TerminalConfig = Readonly<z.output<typeof Schema>>;

/** How a problem names its setting: the flag (and where else it can come from). */
const LABELS: Record<string, string> = {
  id: '--id (or TERMINAL_ID, or "id" in --config)',
  secret: '--secret (or TERMINAL_SECRET, or "secret" in --config)',
  mqttUrl: '--mqtt-url (or MQTT_URL, or "mqttUrl" in --config)',
  apiUrl: '--api-url (or TERMINAL_API_URL, or "apiUrl" in --config)',
  site: '--site',
  dataDir: '--data-dir',
  galleryWaitMs: '--gallery-wait-ms',
  ackTimeoutMs: '--ack-timeout-ms',
  exitWhenDrained: '--exit-when-drained',
  faceDescriptor: 'FACE_DESCRIPTOR',
  fault: 'ATT_FAULT',
  source: 'punch source',
  liveness: '--liveness (or TERMINAL_LIVENESS)',
};
const label = (path: string) => LABELS[path] ?? (/^[A-Z_]+$/.test(path) ? path : `--${path}`);

function defaultApiUrl(mqttUrl: string): string | undefined {
  try {
    const u = new URL(mqttUrl);
    return `${u.protocol === 'mqtts:' || u.protocol === 'wss:' ? 'https' : 'http'}://${u.hostname}:8080`;
  } catch {
    return undefined;
  }
}

/** `--camera` may come without a device. */
function normaliseArgv(argv: readonly string[]): string[] {
  const out = [...argv];
  const i = out.indexOf('--camera');
  if (i >= 0 && (i + 1 >= out.length || (out[i + 1] as string).startsWith('--'))) {
    out.splice(i + 1, 0, '/dev/video0');
  }
  return out;
}

type Flags = Partial<Record<keyof typeof FLAGS, string | boolean>>;

/** The flags, each problem (unknown flag, missing value, stray word) noted rather than thrown, so all are listed. */
function readFlags(argv: readonly string[], problems: string[]): Flags {
  const { values, positionals } = parseArgs({
    args: normaliseArgv(argv),
    options: FLAGS,
    strict: false,
    allowPositionals: true,
  });
  const flags: Flags = {};
  for (const [name, value] of Object.entries(values)) {
    const spec = (FLAGS as Record<string, { type: 'string' | 'boolean' }>)[name];
    if (!spec) problems.push(`--${name}: unknown option`);
    else if (spec.type === 'string' && typeof value !== 'string') problems.push(`--${name}: needs a value`);
    else if (spec.type === 'boolean' && typeof value !== 'boolean')
      problems.push(`--${name}: takes no value`);
    else flags[name as keyof typeof FLAGS] = value as string | boolean;
  }
  for (const p of positionals) problems.push(`${p}: unexpected argument (options start with --)`);
  return flags;
}

function readKioskFile(path: string, problems: string[]): Partial<KioskFile> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    problems.push(`--config ${path}: ${(e as Error).message}`);
    return {};
  }
  const r = kioskFileOf(json);
  if (r.success) return r.data;
  problems.push(...problemsOf(r.error, (p) => `--config ${path}: "${p}"`));
  return {};
}

/**
 * Reads the kiosk's configuration once: flags over the kiosk file over the environment over the
 * defaults. Throws a ConfigError listing every problem (unknown flags too).
 */
export function loadTerminalConfig(
  argv: readonly string[] = process.argv.slice(2),
  environment: Readonly<Record<string, string | undefined>> = process.env,
): TerminalConfig {
  const env = withoutEmpty(environment);
  const problems: string[] = [];
  const flags = readFlags(argv, problems);
  const str = (k: keyof typeof FLAGS) => flags[k] as string | undefined;
  const configPath = str('config') ?? env.TERMINAL_CONFIG;
  const file = configPath ? readKioskFile(configPath, problems) : {};
  const input = {
    id: str('id') ?? file.id ?? env.TERMINAL_ID,
    secret: str('secret') ?? file.secret ?? env.TERMINAL_SECRET,
    mqttUrl: str('mqtt-url') ?? file.mqttUrl ?? env.MQTT_URL,
    apiUrl: str('api-url') ?? file.apiUrl ?? env.TERMINAL_API_URL,
    site: str('site') ?? file.site ?? env.TERMINAL_SITE,
    dataDir: str('data-dir') ?? env.TERMINAL_DATA_DIR,
    liveness: str('liveness') ?? env.TERMINAL_LIVENESS,
    simulate: flags.simulate,
    employees: str('employees'),
    count: str('count'),
    rate: str('rate'),
    video: str('video'),
    realtime: flags.realtime,
    images: str('images'),
    repeat: str('repeat'),
    camera: str('camera'),
    rpicam: flags.rpicam,
    width: str('width'),
    height: str('height'),
    fps: str('fps'),
    hflip: flags.hflip,
    workers: str('workers'),
    galleryWaitMs: str('gallery-wait-ms'),
    ackTimeoutMs: str('ack-timeout-ms'),
    exitWhenDrained: flags['exit-when-drained'],
    fault: env.ATT_FAULT,
    faceDescriptor: env.FACE_DESCRIPTOR,
    LOG_LEVEL: env.LOG_LEVEL,
    LOG_FORMAT: env.LOG_FORMAT,
  };
  const sources = [input.simulate, input.video, input.images, input.camera].filter(Boolean).length;
  if (sources > 1) problems.push('punch source: choose one of --simulate, --video, --images, --camera');
  if (input.repeat !== undefined && !input.images) problems.push('--repeat: applies to --images only');
  const r = Schema.safeParse(input);
  if (!r.success) problems.push(...problemsOf(r.error, label));
  if (problems.length > 0 || !r.success) throw new ConfigError(problems, logSettingsOf(env));
  return Object.freeze(r.data);
}
