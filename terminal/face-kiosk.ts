/**
 * A face-recognition kiosk, assembled: the kiosk core (outbox, MQTT, status), the face engine and
 * pipeline, the local gallery store (loaded at start, so recognition works after a restart and with
 * the backend or broker down), the gallery sync, the liveness gate and the screen.
 *
 *   frames -> FacePipeline (engine, gallery, recognizer) -> LivenessGate -> Kiosk.punch (outbox)
 *                                                        \-> screen (hints, prompts, welcome)
 */
import { join } from 'node:path';
import type { Logger } from '../lib/logger.ts';
import { recognizerConfigFor } from './face/descriptor-models.ts';
import { type DeepPartial, FaceEngine, type FaceEngineConfig } from './face/engine.ts';
import { Gallery } from './face/gallery.ts';
import { type LivenessConfig, LivenessGate, type LivenessLevel } from './face/liveness.ts';
import { FacePipeline, FacePunchSource } from './face/pipeline.ts';
import type { RecognizerConfig } from './face/recognizer.ts';
import type { FrameSource } from './frames/types.ts';
import { GalleryStore } from './gallery/gallery-store.ts';
import { GallerySync, type GallerySyncOptions } from './gallery/gallery-sync.ts';
import { Kiosk, type KioskConfig } from './kiosk.ts';
import {
  ConsoleScreen,
  type KioskScreen,
  screenMessageFor,
  screenMessageForFrameError,
} from './kiosk-screen.ts';

export interface FaceKioskOptions {
  kiosk: KioskConfig;
  /** Backend base URL for the gallery pull (e.g. http://10.0.0.5:8080); none: local gallery only. */
  apiUrl?: string | undefined;
  /** Local liveness level: a floor the backend's config can raise but not lower. */
  liveness?: LivenessLevel | undefined;
  livenessConfig?: Partial<LivenessConfig> | undefined;
  screen?: KioskScreen | undefined;
  /** Reuse a running engine (tests); otherwise one is created here and closed by stop(). */
  engine?: FaceEngine | undefined;
  engineConfig?: DeepPartial<FaceEngineConfig> | undefined;
  recognizer?: Partial<RecognizerConfig> | undefined;
  sync?: Partial<
    Pick<GallerySyncOptions, 'fetch' | 'timeoutMs' | 'minBackoffMs' | 'maxBackoffMs' | 'random'>
  >;
  /** Randomness of the liveness prompt. */
  random?: () => number;
}

export class FaceKiosk {
  private constructor(
    readonly kiosk: Kiosk,
    readonly pipeline: FacePipeline,
    readonly store: GalleryStore,
    readonly sync: GallerySync | undefined,
    readonly liveness: LivenessGate,
    readonly screen: KioskScreen,
    private readonly log: Logger,
    private readonly ownsEngine: boolean,
    private readonly restoreEngine: () => void,
  ) {}

  static async open(opts: FaceKioskOptions, log: Logger): Promise<FaceKiosk> {
    const engine = opts.engine ?? (await FaceEngine.create(opts.engineConfig ?? {}));
    const { modelId, dim } = { modelId: engine.modelId, dim: engine.info.descriptor.dim };
    const gallery = new Gallery(modelId, dim);
    const store = new GalleryStore(join(opts.kiosk.dataDir, `gallery-${opts.kiosk.terminalId}.db`), {
      modelId,
      dim,
      log,
    });
    const loaded = store.loadInto(gallery);
    log.info(
      { version: store.version(), templates: loaded.added, people: gallery.people, modelId },
      'local gallery loaded',
    );
    // The model's own operating point (threshold, margin), in a copy the config may adjust.
    const pipeline = new FacePipeline(engine, gallery, {
      ...recognizerConfigFor(modelId),
      ...opts.recognizer,
    });
    const sync = opts.apiUrl
      ? new GallerySync({
          store,
          apiUrl: opts.apiUrl,
          terminalId: opts.kiosk.terminalId,
          secret: opts.kiosk.secret,
          log,
          ...opts.sync,
        })
      : undefined;
    sync?.on('applied', (r) => store.refreshInto(gallery, r.affected));
    const floor = opts.liveness ?? 'off';
    const liveness = new LivenessGate(
      { ...opts.livenessConfig, level: floor },
      (id) => pipeline.recognizer.forget(id),
      opts.random,
    );
    // Liveness reads landmarks on every frame; landmarks on a box carried over by tracking go wrong
    // when a picture is waved about (bench/liveness.bench.ts), so the detector runs on every frame.
    const tracking = engine.config.tracking;
    const detectEvery = tracking.detectEvery;
    const setLevel = (level: LivenessLevel) => {
      liveness.setLevel(level);
      tracking.detectEvery = level === 'off' ? detectEvery : 1;
    };
    setLevel(floor);
    const screen = opts.screen ?? new ConsoleScreen();
    const kiosk = new Kiosk(opts.kiosk, log, {
      screen,
      face: {
        modelVersion: modelId,
        gallery: sync,
        liveness: {
          floor,
          get level() {
            return liveness.level;
          },
          setLevel,
        },
        recognizer: pipeline.recognizer,
      },
    });
    return new FaceKiosk(
      kiosk,
      pipeline,
      store,
      sync,
      liveness,
      screen,
      log,
      opts.engine === undefined,
      () => {
        tracking.detectEvery = detectEvery;
      },
    );
  }

  start(): void {
    this.kiosk.start();
    this.screen.show({ kind: 'ready' });
  }

  /** The kiosk's punch source over these frames. */
  source(frames: FrameSource): FacePunchSource {
    const nameOf = (id: string) => this.store.nameOf(id);
    return new FacePunchSource(this.pipeline, frames, {
      liveness: this.liveness,
      nameOf,
      onResult: (r, d) => {
        const m = screenMessageFor(d, r.analysis.issue, nameOf);
        if (m) this.screen.show(m);
        if (d.kind === 'liveness-failed' || d.kind === 'unknown') {
          this.log.info(
            { decision: d.kind, ...(d.kind === 'liveness-failed' ? { reason: d.reason } : {}) },
            'face decision',
          );
        } else if (d.kind === 'hint') {
          this.log.debug({ issue: d.issue.code, value: d.issue.value, limit: d.issue.limit }, 'face refused');
        }
      },
      onFrameError: (e) => {
        this.screen.show(screenMessageForFrameError(e));
        this.log.warn({ code: e.code, path: e.path, reason: e.message }, 'frame unavailable');
      },
    });
  }

  /** Recognises faces in these frames until the source ends; returns the punches made. */
  run(frames: FrameSource): Promise<number> {
    this.pipeline.engine.resetTracking();
    return this.kiosk.run(this.source(frames));
  }

  async stop(): Promise<void> {
    await this.kiosk.stop(); // stops the sync too
    await this.sync?.idle(); // a pull in flight finishes before its store closes
    this.store.close();
    this.restoreEngine();
    if (this.ownsEngine) await this.pipeline.close();
  }
}
