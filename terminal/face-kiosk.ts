/**
 * A face-recognition kiosk, assembled: the kiosk core (outbox, MQTT, status), the face engine and
 * pipeline, the local gallery store (loaded at start, so recognition works after a restart and with
 * the backend or broker down), the gallery sync, the liveness gate and the screen.
 *
 *   frames -> FacePipeline (engine, gallery, recognizer) -> LivenessGate -> Kiosk.punch (outbox)
 *                                                        \-> screen (hints, prompts, welcome)
 *
 * The kiosk runs its site's descriptor model (one model per site): at start the model of its local
 * gallery (the site's, as last learned), and when the site switches models (the gallery announcement
 * or delta names another one) it recreates its pipeline with that model, drops the old model's
 * templates and pulls the new model's full gallery (switchModel). All shipped models are on disk.
 */
import { join } from 'node:path';
import {
  DESCRIPTOR_KINDS,
  type DescriptorKind,
  kindOfModelId,
  recognizerConfigFor,
} from '../face/descriptor-models.ts';
import { type DeepPartial, FaceEngine, type FaceEngineConfig } from '../face/engine.ts';
import type { FrameSource } from '../face/frames/types.ts';
import { Gallery } from '../face/gallery.ts';
import { type LivenessConfig, LivenessGate, type LivenessLevel } from '../face/liveness.ts';
import { FacePipeline } from '../face/pipeline.ts';
import type { RecognizerConfig } from '../face/recognizer.ts';
import type { Logger } from '../lib/logger.ts';
import type { ConfigPayload } from '../protocol/index.ts';
import { FacePunchSource } from './face-punch-source.ts';
import { GalleryStore } from './gallery/gallery-store.ts';
import { GallerySync, type GallerySyncOptions } from './gallery/gallery-sync.ts';
import { Kiosk, type KioskConfig } from './kiosk.ts';
import {
  ConsoleScreen,
  type KioskScreen,
  screenMessageFor,
  screenMessageForFrameError,
} from './kiosk-screen.ts';
import { UnconfirmedFaces } from './unconfirmed-faces.ts';

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
  /** The model to start with until the local gallery names the site's (FACE_DESCRIPTOR). */
  defaultDescriptor?: DescriptorKind | undefined;
  recognizer?: Partial<RecognizerConfig> | undefined;
  sync?: Partial<
    Pick<GallerySyncOptions, 'fetch' | 'timeoutMs' | 'minBackoffMs' | 'maxBackoffMs' | 'random'>
  >;
  /** Randomness of the liveness prompt. */
  random?: () => number;
}

/** The pipeline frames go through now; replaced when the site switches models. */
interface Current {
  pipeline: FacePipeline;
  /** Created here (closed by stop() or a switch), or given by the caller. */
  owns: boolean;
}

/** The site's tuning from the config, over the kiosk's own settings (what removing a setting restores). */
interface Tuning {
  site: Partial<Pick<ConfigPayload, 'match' | 'quality' | 'tracking'>>;
  own: {
    quality: FaceEngineConfig['quality'];
    tracking: FaceEngineConfig['tracking'];
    recognizer: Partial<RecognizerConfig>;
  };
}

/**
 * Applies the site's tuning to a pipeline: quality gates and tracking over the kiosk's own,
 * agreement frames and window, and the match threshold and margin when they are meant for this
 * pipeline's model (else the model's own operating point). `tracking` receives the result with
 * liveness off; `applyTracking` then sets what the liveness level needs.
 */
function applyTuning(
  p: FacePipeline,
  t: Tuning,
  tracking: FaceEngineConfig['tracking'],
  level: LivenessLevel,
): void {
  const { match, quality } = t.site;
  p.engine.config.quality = { ...t.own.quality, ...quality };
  Object.assign(tracking, t.own.tracking, t.site.tracking);
  applyTracking(p.engine, tracking, level);
  const base = { ...recognizerConfigFor(p.engine.modelId), ...t.own.recognizer };
  const forModel = match?.model === undefined || match.model === kindOfModelId(p.engine.modelId);
  const rc = p.recognizer.config;
  rc.threshold = (forModel ? match?.threshold : undefined) ?? base.threshold;
  rc.margin = (forModel ? match?.margin : undefined) ?? base.margin;
  rc.agreeFrames = match?.frames ?? base.agreeFrames;
  rc.agreeWindowMs = match?.windowMs ?? base.agreeWindowMs;
}

/**
 * The engine's tracking for a liveness level: as configured when off; with liveness on, the
 * detector and the landmark net on every frame (`configured` is the kiosk's own setting).
 */
function applyTracking(
  engine: FaceEngine,
  configured: FaceEngineConfig['tracking'],
  level: LivenessLevel,
): void {
  const t = engine.config.tracking;
  t.detectEvery = level === 'off' ? configured.detectEvery : 1;
  t.shiftMaxResidual = level === 'off' ? configured.shiftMaxResidual : 0;
}

export class FaceKiosk {
  /** Resolves when a model switch in progress is done (frames wait for it). */
  private switching: Promise<void> | undefined;
  /** The frame being processed, so a switch closes the old engine only after it. */
  private inflight: Promise<unknown> = Promise.resolve();
  /** Faces that matched without enough agreeing frames for a punch (told at the end of a file). */
  readonly unconfirmed = new UnconfirmedFaces();

  private constructor(
    readonly kiosk: Kiosk,
    private readonly current: Current,
    readonly store: GalleryStore,
    readonly sync: GallerySync | undefined,
    readonly liveness: LivenessGate,
    readonly screen: KioskScreen,
    private readonly log: Logger,
    private readonly opts: FaceKioskOptions,
    /** The engine's tracking settings with liveness off. */
    private readonly tracking: FaceEngineConfig['tracking'],
    /** The site's tuning (config) over the kiosk's own settings; applied to every new pipeline. */
    private readonly tuning: Tuning,
    private readonly restoreEngine: () => void,
  ) {}

  /** The pipeline in use (engine, gallery, recognizer). */
  get pipeline(): FacePipeline {
    return this.current.pipeline;
  }

  static async open(opts: FaceKioskOptions, log: Logger): Promise<FaceKiosk> {
    const file = join(opts.kiosk.dataDir, `gallery-${opts.kiosk.terminalId}.db`);
    // The site's model as last learned beats the process default (FACE_DESCRIPTOR), so a restarted
    // kiosk keeps recognising offline; an explicit engine config still wins.
    const stored = GalleryStore.peekModelId(file);
    const kind = (stored === undefined ? undefined : kindOfModelId(stored)) ?? opts.defaultDescriptor;
    const engine =
      opts.engine ??
      (await FaceEngine.create({
        ...(kind ? { descriptor: kind } : {}),
        ...opts.engineConfig,
      }));
    const { modelId, dim } = { modelId: engine.modelId, dim: engine.info.descriptor.dim };
    const gallery = new Gallery(modelId, dim);
    const store = new GalleryStore(file, { modelId, dim, log });
    const loaded = store.loadInto(gallery);
    log.info(
      { version: store.version(), templates: loaded.added, people: gallery.people, modelId },
      'local gallery loaded',
    );
    // The model's own operating point (threshold, margin), in a copy the config may adjust.
    const current: Current = {
      pipeline: new FacePipeline(engine, gallery, { ...recognizerConfigFor(modelId), ...opts.recognizer }),
      owns: opts.engine === undefined,
    };
    let self: FaceKiosk | undefined;
    const sync = opts.apiUrl
      ? new GallerySync({
          store,
          apiUrl: opts.apiUrl,
          terminalId: opts.kiosk.terminalId,
          secret: opts.kiosk.secret,
          log,
          followModel: (id) => (self as FaceKiosk).switchModel(id),
          ...opts.sync,
        })
      : undefined;
    sync?.on('applied', (r) => store.refreshInto(current.pipeline.gallery, r.affected));
    const floor = opts.liveness ?? 'off';
    const liveness = new LivenessGate(
      { ...opts.livenessConfig, level: floor },
      (id) => current.pipeline.recognizer.forget(id),
      opts.random,
    );
    // Liveness reads landmarks on every frame; landmarks on a box carried over by tracking go wrong
    // when a picture is waved about (bench/liveness.bench.ts), so the detector runs on every frame,
    // and the landmark net too (shifted landmarks could not blink).
    const tracking = { ...engine.config.tracking };
    const tuning: Tuning = {
      site: {},
      own: {
        quality: { ...engine.config.quality },
        tracking: { ...engine.config.tracking },
        recognizer: opts.recognizer ?? {},
      },
    };
    const setLevel = (level: LivenessLevel) => {
      liveness.setLevel(level);
      applyTracking(current.pipeline.engine, tracking, level);
    };
    setLevel(floor);
    const screen = opts.screen ?? new ConsoleScreen();
    const kiosk = new Kiosk(opts.kiosk, log, {
      screen,
      face: {
        get modelVersion() {
          return current.pipeline.engine.modelId;
        },
        gallery: sync,
        liveness: {
          floor,
          get level() {
            return liveness.level;
          },
          setLevel,
        },
        get recognizer() {
          return current.pipeline.recognizer;
        },
        tune: (c) => {
          tuning.site = {
            ...(c.match ? { match: c.match } : {}),
            ...(c.quality ? { quality: c.quality } : {}),
            ...(c.tracking ? { tracking: c.tracking } : {}),
          };
          applyTuning(current.pipeline, tuning, tracking, liveness.level);
          log.info({ tuning: tuning.site }, 'face settings from the site');
        },
      },
    });
    self = new FaceKiosk(kiosk, current, store, sync, liveness, screen, log, opts, tracking, tuning, () => {
      engine.config.quality = tuning.own.quality;
      Object.assign(tracking, tuning.own.tracking);
      applyTracking(engine, tracking, 'off');
    });
    return self;
  }

  start(): void {
    this.kiosk.start();
    this.screen.show({ kind: 'ready' });
  }

  /**
   * Follows the site to another descriptor model: the old engine is closed first (each engine holds
   * its own tfjs heaps, a Pi has room for one), the new one loaded from disk, the local gallery
   * emptied of the old model's templates (the sync then takes the new model's full gallery). Frames
   * wait meanwhile. Throws, keeping the old model, when this kiosk does not ship `modelId`.
   */
  async switchModel(modelId: string): Promise<void> {
    const kind = kindOfModelId(modelId);
    if (!kind) {
      throw new Error(`model '${modelId}' is not one this kiosk ships (${DESCRIPTOR_KINDS.join(', ')})`);
    }
    while (this.switching !== undefined) await this.switching;
    if (this.current.pipeline.engine.modelId === modelId) return;
    let done: () => void = () => undefined;
    this.switching = new Promise((r) => {
      done = r;
    });
    const old = { ...this.current };
    try {
      await this.inflight.catch(() => undefined);
      if (old.owns) await old.pipeline.close();
      let next: FacePipeline;
      try {
        next = await this.createPipeline(kind);
        if (next.engine.modelId !== modelId) {
          await next.close();
          throw new Error(
            `this kiosk's ${kind} model is '${next.engine.modelId}', the site's is '${modelId}'`,
          );
        }
      } catch (err) {
        const oldKind = kindOfModelId(old.pipeline.engine.modelId);
        if (old.owns && oldKind) {
          this.current.pipeline = await this.createPipeline(oldKind, old.pipeline);
          this.current.pipeline.recognizer.adoptCooldowns(old.pipeline.recognizer);
        }
        throw err;
      }
      const dropped = this.store.switchModel(next.engine.modelId, next.engine.info.descriptor.dim);
      next.recognizer.adoptCooldowns(old.pipeline.recognizer);
      this.current.pipeline = next;
      this.current.owns = true;
      this.log.warn(
        { from: old.pipeline.engine.modelId, to: modelId, dropped },
        'descriptor model switched to the site’s',
      );
    } finally {
      this.switching = undefined;
      done();
    }
  }

  /** A pipeline of `kind` with the kiosk's settings; `like`: keep that pipeline's gallery and rules. */
  private async createPipeline(kind: DescriptorKind, like?: FacePipeline): Promise<FacePipeline> {
    const engine = await FaceEngine.create({ ...this.opts.engineConfig, descriptor: kind });
    const cooldownMs = this.current.pipeline.recognizer.config.cooldownMs; // as the backend's config set it
    const p = like
      ? new FacePipeline(engine, like.gallery, { ...like.recognizer.config })
      : new FacePipeline(engine, new Gallery(engine.modelId, engine.info.descriptor.dim), {
          ...recognizerConfigFor(engine.modelId),
          ...this.opts.recognizer,
          cooldownMs,
        });
    // The site's gates, tracking and matching, for this model (a threshold for another model is not used).
    applyTuning(p, this.tuning, this.tracking, this.liveness.level);
    return p;
  }

  /** The kiosk's punch source over these frames. */
  source(frames: FrameSource): FacePunchSource {
    const nameOf = (id: string) => this.store.nameOf(id);
    // Frames go to whichever pipeline is current, and wait while a model switch is under way.
    const current = {
      process: async (...args: Parameters<FacePipeline['process']>) => {
        while (this.switching !== undefined) await this.switching;
        const run = this.current.pipeline.process(...args);
        this.inflight = run;
        return run;
      },
    };
    return new FacePunchSource(current, frames, {
      liveness: this.liveness,
      nameOf,
      onResult: (r, d) => {
        this.unconfirmed.observe(r.decision);
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
    await this.sync?.idle(); // a pull in flight (and a model switch it started) finishes before its store closes
    while (this.switching !== undefined) await this.switching;
    this.store.close();
    this.restoreEngine();
    if (this.current.owns) await this.current.pipeline.close();
  }
}
