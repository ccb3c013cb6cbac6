/**
 * `npm run terminal -- [options]`: one kiosk.
 *   --id, --secret, --mqtt-url, --site   credentials from `POST /api/terminals` (or env TERMINAL_ID, …)
 *   --data-dir DIR                       where the outbox and the gallery live (default ./data/terminal)
 *
 * Punches from faces (one of):
 *   --video FILE [--realtime]            a video file (--realtime: at its own pace, dropping frames like a camera)
 *   --images DIR                         a folder of pictures, in natural order
 *   --camera [/dev/video0] [--rpicam]    a V4L2 camera through ffmpeg, or the Pi camera through rpicam-vid
 *     --width/--height/--fps/--hflip     camera settings
 *   --api-url URL                        backend for the gallery pull (env TERMINAL_API_URL;
 *                                        default http://<mqtt host>:8080; "none": local gallery only)
 *   --liveness off|active|strict         local liveness level (env TERMINAL_LIVENESS); the backend's
 *                                        config can raise it, not lower it
 *   --workers 1|2                        face engine worker threads
 *   --gallery-wait-ms N                  files: wait up to N ms for the first gallery pull before reading
 *                                        frames (default 10000; cameras do not wait)
 * or from a simulator:
 *   --simulate --employees NIP,NIP --count N --rate R
 *
 *   --exit-when-drained                  exit 0 once the source is done and every punch is acknowledged
 */
import { parseArgs } from 'node:util';
import { CameraSource, ImageFolderSource, VideoFileSource } from '../face/frames/index.ts';
import type { FrameSource } from '../face/frames/types.ts';
import { LIVENESS_LEVELS, type LivenessLevel } from '../face/liveness.ts';
import { logger } from '../lib/logger.ts';
import { FaceKiosk } from './face-kiosk.ts';
import { Kiosk, type KioskConfig } from './kiosk.ts';
import { ConsoleScreen } from './kiosk-screen.ts';
import { SimulatedPunchSource } from './punch-source.ts';

/** `--camera` may come without a device. */
function normaliseArgv(argv: string[]): string[] {
  const out = [...argv];
  const i = out.indexOf('--camera');
  if (i >= 0 && (i + 1 >= out.length || (out[i + 1] as string).startsWith('--'))) {
    out.splice(i + 1, 0, '/dev/video0');
  }
  return out;
}

const { values: a } = parseArgs({
  args: normaliseArgv(process.argv.slice(2)),
  options: {
    id: { type: 'string', default: process.env.TERMINAL_ID },
    secret: { type: 'string', default: process.env.TERMINAL_SECRET },
    'mqtt-url': { type: 'string', default: process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883' },
    site: { type: 'string', default: process.env.TERMINAL_SITE },
    'data-dir': { type: 'string', default: process.env.TERMINAL_DATA_DIR ?? './data/terminal' },
    simulate: { type: 'boolean', default: false },
    employees: { type: 'string', default: '199001012015011001' },
    count: { type: 'string', default: '10' },
    rate: { type: 'string', default: '1' },
    video: { type: 'string' },
    realtime: { type: 'boolean', default: false },
    images: { type: 'string' },
    camera: { type: 'string' },
    rpicam: { type: 'boolean', default: false },
    width: { type: 'string', default: '640' },
    height: { type: 'string', default: '480' },
    fps: { type: 'string', default: '15' },
    hflip: { type: 'boolean', default: false },
    'api-url': { type: 'string', default: process.env.TERMINAL_API_URL },
    liveness: { type: 'string', default: process.env.TERMINAL_LIVENESS ?? 'off' },
    workers: { type: 'string' },
    'gallery-wait-ms': { type: 'string', default: '10000' },
    'ack-timeout-ms': { type: 'string', default: '10000' },
    'exit-when-drained': { type: 'boolean', default: false },
  },
});

const log = logger('kiosk');
if (!a.id || !a.secret) {
  log.fatal(
    'terminal id and secret are required (--id/--secret or TERMINAL_ID/TERMINAL_SECRET); register one with POST /api/terminals',
  );
  process.exit(2);
}
const sources = [a.simulate, a.video, a.images, a.camera].filter(Boolean).length;
if (sources > 1) {
  log.fatal('choose one punch source: --simulate, --video, --images or --camera');
  process.exit(2);
}
if (!LIVENESS_LEVELS.includes(a.liveness as LivenessLevel)) {
  log.fatal({ liveness: a.liveness }, `--liveness must be one of ${LIVENESS_LEVELS.join(', ')}`);
  process.exit(2);
}
const fault =
  process.env.ATT_FAULT === 'crash-after-outbox-write' ? ('crash-after-outbox-write' as const) : undefined;
const kioskConfig: KioskConfig = {
  terminalId: a.id,
  secret: a.secret,
  mqttUrl: a['mqtt-url'] ?? '',
  siteId: a.site,
  dataDir: a['data-dir'] ?? './data/terminal',
  ackTimeoutMs: Number(a['ack-timeout-ms']),
  fault,
};
const klog = log.child({ terminalId: a.id });

/** Default backend URL: the broker's host on the API's default port. */
function apiUrl(): string | undefined {
  const given = a['api-url'];
  if (given === 'none') return undefined;
  if (given) return given;
  try {
    const u = new URL(kioskConfig.mqttUrl);
    return `${u.protocol === 'mqtts:' ? 'https' : 'http'}://${u.hostname}:8080`;
  } catch {
    return undefined;
  }
}

function frameSource(): FrameSource | undefined {
  const size = { width: Number(a.width), height: Number(a.height) };
  if (a.video) return new VideoFileSource(a.video, { ...size, realtime: a.realtime });
  if (a.images) return new ImageFolderSource(a.images, { ...size, noUpscale: true });
  if (a.camera) {
    return new CameraSource({
      kind: a.rpicam ? 'rpicam' : 'v4l2',
      device: a.camera,
      ...size,
      fps: Number(a.fps),
      hflip: a.hflip,
    });
  }
  return undefined;
}

let stopKiosk: () => Promise<void> = async () => undefined;
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await stopKiosk();
  process.exit(code);
};
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));

const frames = frameSource();
if (frames) {
  const workers = a.workers === '1' ? 1 : a.workers === '2' ? 2 : undefined;
  const fk = await FaceKiosk.open(
    {
      kiosk: kioskConfig,
      apiUrl: apiUrl(),
      liveness: a.liveness as LivenessLevel,
      livenessConfig: { mirrored: a.hflip },
      engineConfig: workers ? { workers } : {},
    },
    klog,
  );
  stopKiosk = async () => {
    await frames.close();
    await fk.stop();
  };
  fk.start();
  log.info(
    {
      pending: fk.kiosk.outbox.depth(),
      source: frames.description,
      modelId: fk.pipeline.engine.modelId,
      gallery: { version: fk.store.version(), templates: fk.store.count() },
      liveness: fk.liveness.level,
    },
    'kiosk started',
  );
  if (fk.sync && !a.camera) {
    // A file is read much faster than real time: give the first pull a chance before the frames go by.
    const wait = Number(a['gallery-wait-ms']);
    await Promise.race([fk.sync.idle(), new Promise((r) => setTimeout(r, wait).unref())]);
  }
  const n = await fk.run(frames);
  log.info({ punches: n }, 'frame source finished');
  if (a['exit-when-drained']) {
    await fk.kiosk.drained();
    log.info({ stats: fk.kiosk.sender.stats }, 'drained');
    await shutdown(0);
  } else if (!a.camera) {
    log.info('source done; the kiosk keeps delivering and syncing until stopped (Ctrl-C)');
  } else {
    log.warn('camera source ended');
    await shutdown(1);
  }
} else {
  const kiosk = new Kiosk(kioskConfig, klog, { screen: new ConsoleScreen() });
  stopKiosk = () => kiosk.stop();
  kiosk.start();
  log.info({ pending: kiosk.outbox.depth() }, 'kiosk started');
  if (a.simulate) {
    const source = new SimulatedPunchSource(
      (a.employees ?? '').split(',').filter(Boolean),
      Number(a.count),
      Number(a.rate),
    );
    const n = await kiosk.run(source);
    log.info({ punches: n }, 'simulation finished');
    if (a['exit-when-drained']) {
      await kiosk.drained();
      log.info({ stats: kiosk.sender.stats }, 'drained');
      await shutdown(0);
    }
  } else {
    log.warn('no punch source: use --video FILE, --images DIR, --camera [DEVICE] or --simulate');
  }
}
