/**
 * `npm run terminal -- [options]`: one kiosk. Options and environment: terminal/terminal.config.ts
 * (and README "Configuration"). The usual start is the file the registration returned:
 *
 *   npm run terminal -- --config kiosk.json --camera
 */
import { CameraSource, ImageFolderSource, VideoFileSource } from '../face/frames/index.ts';
import type { FrameSource } from '../face/frames/types.ts';
import { ConfigError } from '../lib/env-config.ts';
import { configureLogging, type Logger } from '../lib/logger.ts';
import { handleShutdown, type Shutdown } from '../lib/process-lifecycle.ts';
import { FaceKiosk } from './face-kiosk.ts';
import { Kiosk, type KioskConfig } from './kiosk.ts';
import { ConsoleScreen } from './kiosk-screen.ts';
import { SimulatedPunchSource } from './punch-source.ts';
import { loadTerminalConfig, type TerminalConfig } from './terminal.config.ts';
import { unconfirmedMessage } from './unconfirmed-faces.ts';

let cfg: TerminalConfig;
try {
  cfg = loadTerminalConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  configureLogging(err.log)
    .child({ ns: 'kiosk' })
    .fatal(
      { problems: err.problems },
      'could not start: invalid configuration (register a terminal with POST /api/terminals and pass --config FILE)',
    );
  process.exit(2);
}
const log = configureLogging(cfg.log).child({ ns: 'kiosk' });

const kioskConfig: KioskConfig = {
  terminalId: cfg.id,
  secret: cfg.secret,
  mqttUrl: cfg.mqttUrl,
  siteId: cfg.site,
  dataDir: cfg.dataDir,
  ackTimeoutMs: cfg.ackTimeoutMs,
  fault: cfg.fault,
};
const klog = log.child({ terminalId: cfg.id });

function frameSource(): FrameSource | undefined {
  const size = { width: cfg.width, height: cfg.height };
  if (cfg.video) return new VideoFileSource(cfg.video, { ...size, realtime: cfg.realtime });
  if (cfg.images) return new ImageFolderSource(cfg.images, { ...size, noUpscale: true, repeat: cfg.repeat });
  if (cfg.camera) {
    return new CameraSource({
      kind: cfg.rpicam ? 'rpicam' : 'v4l2',
      device: cfg.camera,
      ...size,
      fps: cfg.fps,
      hflip: cfg.hflip,
    });
  }
  return undefined;
}

let stopKiosk: () => Promise<void> = async () => undefined;
const shutdown = handleShutdown(log, () => stopKiosk());

async function runFaces(frames: FrameSource, shutdown: Shutdown, log: Logger): Promise<void> {
  const fk = await FaceKiosk.open(
    {
      kiosk: kioskConfig,
      apiUrl: cfg.apiUrl,
      liveness: cfg.liveness,
      livenessConfig: { mirrored: cfg.hflip },
      engineConfig: cfg.workers ? { workers: cfg.workers } : {},
      defaultDescriptor: cfg.faceDescriptor,
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
      mqttUrl: cfg.mqttUrl,
      apiUrl: cfg.apiUrl ?? 'none',
      pending: fk.kiosk.outbox.depth(),
      source: frames.description,
      modelId: fk.pipeline.engine.modelId,
      gallery: { version: fk.store.version(), templates: fk.store.count() },
      liveness: fk.liveness.level,
    },
    'kiosk started',
  );
  if (fk.sync && !cfg.camera) {
    // A file is read much faster than real time: give the first pull a chance before the frames go by.
    await Promise.race([fk.sync.idle(), new Promise((r) => setTimeout(r, cfg.galleryWaitMs).unref())]);
  }
  const n = await fk.run(frames);
  log.info({ punches: n }, 'frame source finished');
  if (!cfg.camera) {
    for (const u of fk.unconfirmed.report()) {
      log.warn(
        { employeeId: u.personId, frames: u.frames, needed: u.needed },
        unconfirmedMessage(u, fk.store.nameOf(u.personId), cfg.images ? 'images' : 'video'),
      );
    }
  }
  if (cfg.exitWhenDrained) {
    await fk.kiosk.drained();
    log.info({ stats: fk.kiosk.sender.stats }, 'drained');
    await shutdown('drained');
  } else if (!cfg.camera) {
    log.info('source done; the kiosk keeps delivering and syncing until stopped (Ctrl-C)');
  } else {
    log.warn('camera source ended');
    await shutdown('camera source ended', 1);
  }
}

async function runWithoutFaces(shutdown: Shutdown, log: Logger): Promise<void> {
  const kiosk = new Kiosk(kioskConfig, klog, { screen: new ConsoleScreen() });
  stopKiosk = () => kiosk.stop();
  kiosk.start();
  log.info({ mqttUrl: cfg.mqttUrl, pending: kiosk.outbox.depth() }, 'kiosk started');
  if (!cfg.simulate) {
    log.warn('no punch source: use --video FILE, --images DIR, --camera [DEVICE] or --simulate');
    return;
  }
  const n = await kiosk.run(new SimulatedPunchSource(cfg.employees, cfg.count, cfg.rate));
  log.info({ punches: n }, 'simulation finished');
  if (cfg.exitWhenDrained) {
    await kiosk.drained();
    log.info({ stats: kiosk.sender.stats }, 'drained');
    await shutdown('drained');
  }
}

const frames = frameSource();
if (frames) await runFaces(frames, shutdown, log);
else await runWithoutFaces(shutdown, log);
