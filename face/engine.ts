/**
 * The face engine: quality gates and descriptors for camera frames, with all inference in worker
 * threads so the main thread (MQTT, outbox, screen) never stalls.
 *
 * Two workers (default when there are two cores):
 *  - L ("locate"): tiny face detector on the frame, then 68 landmarks on the dominant face's crop.
 *  - E ("embed"): alignment to the descriptor's template, crop statistics, descriptor.
 * Cold frame (nothing tracked): L, then E with the new landmarks. A new face within
 * `tracking.priorMaxAgeMs` of the last one is looked for first in a region around where that one
 * was, at a small detector input (less work on the critical path; the next frame runs the
 * detector on the whole frame again).
 * Tracked frame (a face was seen within `tracking.maxAgeMs`):
 *  - first, on this thread, the face's shift since the landmark net last ran (shift.ts): if the
 *    face only moved, its landmarks are moved with it and the landmark net is skipped
 *    (`path: 'shifted'`); E embeds with them, and on every `tracking.detectEvery`-th frame L runs
 *    the detector alone on the whole frame at the same time (bystanders, and a check that the
 *    face is where the shift put it);
 *  - otherwise L skips the detector on most frames and runs the landmark net on the box carried
 *    over from the previous frame (moved with the landmarks); every `tracking.detectEvery`-th
 *    frame it runs the detector on the whole frame again, with a smaller input when the face is
 *    near; at the same time E aligns this frame with the previous frame's landmarks and computes
 *    the descriptor; if L's fresh landmarks show the face moved more than `tracking.maxDriftPx`
 *    (aligned-crop pixels), E runs again with them.
 * A person standing at a kiosk therefore costs about one descriptor per frame instead of
 * detector + landmarks + descriptor. One worker: the same steps, sequentially.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { alignmentDrift, type Box, iou, type KeptFace } from './align.ts';
import type { EmbedResult, FrameData, LocateOptions, LocateResult } from './analyzer.ts';
import type { DescriptorInfo } from './descriptor.ts';
import { DEFAULT_DESCRIPTOR, type DescriptorKind } from './descriptor-models.ts';
import type { FrameMsg, WorkerHello, WorkerInit, WorkerReply, WorkerRequest } from './engine-worker.ts';
import {
  type CropStats,
  checkCrop,
  checkDetections,
  checkPose,
  DEFAULT_QUALITY,
  type Pose,
  poseFromLandmarks,
  type QualityConfig,
  type QualityIssue,
  type ScoredBox,
} from './quality.ts';
import { estimateShift, type ShiftAnchor, shiftAnchor, shiftLandmarks } from './shift.ts';

export interface FaceEngineConfig {
  /** Worker threads: 2 spreads locate and embed over two cores. Default min(2, cores). */
  workers: 1 | 2;
  backend: 'auto' | 'wasm';
  detector: {
    /** Input sizes tried in order on a cold frame until a face is found. */
    inputSizes: number[];
    /** Detections below this are ignored entirely; between this and quality.minScore they only count as bystanders. */
    scoreThreshold: number;
    /** Tracked frames: detector input chosen so the tracked face is about this many pixels wide... */
    targetFacePx: number;
    /** ...but never below this. */
    minInputSize: number;
  };
  tracking: {
    enabled: boolean;
    /** A track older than this (frame timestamps, ms) is dropped. */
    maxAgeMs: number;
    /**
     * Largest RMS landmark displacement, in pixels of a 150 px aligned crop, for which the
     * predicted crop is kept (scaled to the descriptor's crop size: 1.87 px for 112 px crops).
     */
    maxDriftPx: number;
    /**
     * Tracked frames skip the detector and run the landmark net on the box carried over from the
     * previous frame; every `detectEvery`-th tracked frame runs the detector on the whole frame
     * again (bystanders, re-anchoring). 1 = detector on every frame.
     */
    detectEvery: number;
    /** Landmark boxes of consecutive frames must overlap this much (IoU), else the track is lost. */
    minIou: number;
    /**
     * A new face with no track: for this long after the last face was seen, the detector first
     * looks only in a square of `priorRegion` x that face's width around it (people stand where
     * the previous one stood), at the small input that gives the face about `targetFacePx`; the
     * whole frame only if nothing is there. The next frame runs the detector on the whole frame
     * (bystanders). 0 = off.
     */
    priorMaxAgeMs: number;
    priorRegion: number;
    /**
     * Tracked frames first look for the face's shift since the landmark net last ran (shift.ts,
     * ~0.8 ms on the main thread). If the inner face only moved, so that what is left after the
     * shift is at most this fraction of its contrast, the landmarks are moved with it and the
     * landmark net is skipped (`path: 'shifted'`); on detector frames the detector still runs, and
     * its face must be where the shift put it. Otherwise, or when the face moved further than
     * searched, the landmark net runs as before and its landmarks become the new anchor. Each
     * estimate is against the anchor itself, so shifts do not add up errors. 0 = off; a kiosk with
     * liveness on sets 0 (liveness needs the net's own landmarks on every frame).
     */
    shiftMaxResidual: number;
  };
  quality: QualityConfig;
  /** Run every net once at start-up so the first frame is not slow. */
  warmUp: boolean;
  /**
   * Descriptor model (descriptor-models.ts), DEFAULT_DESCRIPTOR when not given. The processes pass
   * FACE_DESCRIPTOR from their config; the engine reads no environment.
   */
  descriptor: DescriptorKind;
  /** face-api descriptor only: side of its dlib chip. */
  chipSize: number;
}

export const DEFAULT_ENGINE_CONFIG: FaceEngineConfig = {
  workers: Math.min(2, availableParallelism()) >= 2 ? 2 : 1,
  backend: 'auto',
  detector: {
    inputSizes: [224, 320, 416],
    scoreThreshold: 0.3,
    targetFacePx: 64,
    minInputSize: 160,
  },
  tracking: {
    enabled: true,
    maxAgeMs: 1000,
    maxDriftPx: 2.5,
    detectEvery: 3,
    minIou: 0.5,
    priorMaxAgeMs: 30_000,
    priorRegion: 2.5,
    shiftMaxResidual: 0.15,
  },
  quality: DEFAULT_QUALITY,
  warmUp: true,
  descriptor: DEFAULT_DESCRIPTOR,
  chipSize: 150,
};

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function resolveEngineConfig(partial: DeepPartial<FaceEngineConfig> = {}): FaceEngineConfig {
  const d = DEFAULT_ENGINE_CONFIG;
  return {
    ...d,
    ...(partial as Partial<FaceEngineConfig>),
    detector: { ...d.detector, ...(partial.detector as Partial<FaceEngineConfig['detector']>) },
    tracking: { ...d.tracking, ...partial.tracking },
    quality: { ...d.quality, ...(partial.quality as Partial<QualityConfig>) },
    descriptor: (partial.descriptor as DescriptorKind | undefined) ?? d.descriptor,
  };
}

export interface FaceAnalysis {
  /** Frame timestamp (ms). */
  ts: number;
  /** True when every gate passed and `descriptor` is set. */
  ok: boolean;
  /** Why the frame cannot be matched (screen text in `issue.message`). */
  issue?: QualityIssue;
  /** Detected faces, largest first (on tracked frames without detection: the tracked box only). */
  faces: ScoredBox[];
  /** Whether the detector ran on this frame (false: landmarks on the tracked box). */
  detected: boolean;
  landmarks?: Float32Array;
  pose?: Pose;
  stats?: CropStats;
  /** L2-normalised; present when ok (or when gates were ignored). */
  descriptor?: Float32Array;
  /** Descriptor of the mirrored face, with `mirror: true`. */
  mirrored?: Float32Array;
  modelId: string;
  /**
   * cold: located then embedded; tracked: embedded in parallel with a still valid prediction;
   * retracked: prediction too far off, embedded again; prior: a new face found by the detector in
   * the region where the last face was (`tracking.priorMaxAgeMs`), then landmarks and descriptor;
   * shifted: the face only moved since the landmark net last ran (`tracking.shiftMaxResidual`),
   * its landmarks were moved with it and the landmark net skipped.
   */
  path: 'cold' | 'tracked' | 'retracked' | 'prior' | 'shifted';
  /** Shifted frames: what the shift left unexplained, as a fraction of the face's contrast. */
  shiftResidual?: number;
  /** Tracked frames: RMS landmark displacement since the previous frame, in aligned-crop pixels. */
  drift?: number;
  crop?: Uint8Array;
  /** With `keepCrop`: the enrollment crop and its landmarks. */
  kept?: KeptFace;
  ms: { total: number; detect: number; landmarks: number; align: number; descriptor: number };
}

export interface AnalyzeOptions {
  /** Compute the descriptor even when a gate fails (benchmarks, enrollment review). */
  ignoreGates?: boolean;
  /** Return the aligned crop. */
  returnCrop?: boolean;
  /** Also compute the descriptor of the mirrored face (enrollment). */
  mirror?: boolean;
  /**
   * Return the model-neutral enrollment crop (`kept`): kept with the template, it lets the site
   * re-derive the template for another descriptor model (descriptor-migrate.ts).
   */
  keepCrop?: boolean;
}

/** Spawns engine-worker; under tsx (a .ts file) the worker registers tsx's loader first. */
function spawnWorker(init: WorkerInit): Worker {
  const url = new URL(
    import.meta.url.endsWith('.ts') ? './engine-worker.ts' : './engine-worker.js',
    import.meta.url,
  );
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: init });
  const req = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(req.resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
  const code =
    `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); ` +
    `return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true, workerData: init });
}

/**
 * Detector input sizes to try. With a tracked face (width as a fraction of the frame width) the
 * first size is the smallest that still gives the face about `targetFacePx` pixels: a near face
 * needs a small, fast input. The configured cold sizes follow as fall-backs.
 */
export function detectorSizes(det: FaceEngineConfig['detector'], trackedFaceFraction?: number): number[] {
  if (trackedFaceFraction === undefined || trackedFaceFraction <= 0) return det.inputSizes;
  const cold = det.inputSizes[0] ?? 224;
  const wanted = Math.ceil(det.targetFacePx / trackedFaceFraction / 32) * 32;
  const first = Math.max(det.minInputSize, Math.min(wanted, cold));
  return [first, ...det.inputSizes.filter((s) => s !== first)];
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

class WorkerHandle {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private dead: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly hello: Extract<WorkerHello, { type: 'ready' }>,
  ) {
    worker.on('message', (m: WorkerReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    });
    const die = (e: Error) => {
      this.dead ??= e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`face worker exited (${code})`)));
  }

  static start(init: WorkerInit): Promise<WorkerHandle> {
    return new Promise((resolve, reject) => {
      const w = spawnWorker(init);
      const onError = (e: Error) => reject(e);
      const onExit = (code: number) => reject(new Error(`face worker exited during start-up (${code})`));
      w.once('error', onError);
      w.once('exit', onExit);
      w.once('message', (m: WorkerHello) => {
        w.off('error', onError);
        w.off('exit', onExit);
        if (m.type === 'ready') resolve(new WorkerHandle(w, m));
        else {
          void w.terminate();
          reject(new Error(`face worker failed to start: ${m.error}`));
        }
      });
    });
  }

  request<T>(body: RequestBody): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...body, id });
    });
  }

  async close(): Promise<void> {
    this.dead ??= new Error('face engine closed');
    await this.worker.terminate();
  }
}

interface Track {
  landmarks: Float32Array;
  /** Bounding box of the landmarks. */
  lmBox: Box;
  /** Detector-style face box (what the landmark net is fed). */
  box: ScoredBox;
  /** The detector box relative to the landmark box at the last detection. */
  rel: { x: number; y: number; w: number; h: number };
  ts: number;
  /** Frames since the detector last ran. */
  sinceDetect: number;
  /** The inner face where the landmark net last ran, and those landmarks (shift.ts). */
  anchor?: { cells: ShiftAnchor; landmarks: Float32Array };
}

/** The detector-style face box for landmarks with bounding box `lmBox`, placed as on the track's last detection. */
function predictBox(track: Track, lmBox: Box): ScoredBox {
  const r = track.rel;
  return {
    x: lmBox.x + r.x * lmBox.width,
    y: lmBox.y + r.y * lmBox.height,
    width: r.w * lmBox.width,
    height: r.h * lmBox.height,
    score: track.box.score,
  };
}

/** Bounding box of 68 landmarks. */
export function landmarkBox(lm: ArrayLike<number>): Box {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i + 1 < lm.length; i += 2) {
    const x = lm[i] as number;
    const y = lm[i + 1] as number;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}

export interface FaceEngineInfo {
  backend: string;
  modelId: string;
  descriptor: DescriptorInfo;
  workers: number;
  /** Start-up time of the slowest worker (model load + warm-up), ms. */
  initMs: number;
}

export class FaceEngine {
  private track: Track | undefined;
  /** The last face seen (kept when the track is lost): where a new face is looked for first. */
  private prior: Track | undefined;
  private shared: Uint8Array | undefined;
  private busy: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly config: FaceEngineConfig,
    readonly info: FaceEngineInfo,
    private readonly locator: WorkerHandle,
    private readonly embedder: WorkerHandle,
    private readonly handles: WorkerHandle[],
  ) {}

  static async create(partial: DeepPartial<FaceEngineConfig> = {}): Promise<FaceEngine> {
    const config = resolveEngineConfig(partial);
    const analyzer = { backend: config.backend, chipSize: config.chipSize, descriptor: config.descriptor };
    const handles =
      config.workers === 2
        ? await Promise.all([
            WorkerHandle.start({ roles: ['locate'], analyzer, warmUp: config.warmUp }),
            WorkerHandle.start({ roles: ['embed'], analyzer, warmUp: config.warmUp }),
          ])
        : [await WorkerHandle.start({ roles: ['locate', 'embed'], analyzer, warmUp: config.warmUp })];
    const locator = handles[0] as WorkerHandle;
    const embedder = handles[handles.length - 1] as WorkerHandle;
    const descriptor = embedder.hello.descriptor;
    if (!descriptor) throw new Error('embed worker reported no descriptor');
    const info: FaceEngineInfo = {
      backend: locator.hello.backend,
      modelId: descriptor.modelId,
      descriptor,
      workers: handles.length,
      initMs: Math.max(...handles.map((h) => h.hello.initMs)),
    };
    return new FaceEngine(config, info, locator, embedder, handles);
  }

  get modelId(): string {
    return this.info.modelId;
  }

  /**
   * Forget the tracked face (e.g. between unrelated still images). With `forgetPlace`, also where
   * the last face was (`tracking.priorMaxAgeMs`): the next face is searched for fully cold.
   */
  resetTracking(forgetPlace = false): void {
    this.track = undefined;
    if (forgetPlace) this.prior = undefined;
  }

  /** Analyses one frame. Calls are serialised; the frame's buffer is copied, not taken. */
  analyze(frame: FrameData & { ts?: number }, opts: AnalyzeOptions = {}): Promise<FaceAnalysis> {
    const run = this.busy.then(
      () => this.analyzeNow(frame, opts),
      () => this.analyzeNow(frame, opts),
    );
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async analyzeNow(frame: FrameData & { ts?: number }, opts: AnalyzeOptions): Promise<FaceAnalysis> {
    const t0 = performance.now();
    const ts = frame.ts ?? Date.now();
    const cfg = this.config;
    const msg: FrameMsg = { data: this.share(frame.data), width: frame.width, height: frame.height };
    let track =
      cfg.tracking.enabled && this.track && Math.abs(ts - this.track.ts) <= cfg.tracking.maxAgeMs
        ? this.track
        : undefined;
    if (!track) this.track = undefined;
    const returnCrop = opts.returnCrop ?? false;
    const detectOpts = (t: Track | undefined): LocateOptions => ({
      inputSizes: detectorSizes(cfg.detector, t ? t.box.width / frame.width : undefined),
      scoreThreshold: cfg.detector.scoreThreshold,
      minScore: cfg.quality.minScore,
    });
    const skipDetector = track !== undefined && track.sinceDetect + 1 < cfg.tracking.detectEvery;
    const mirror = opts.mirror ?? false;
    const keep = opts.keepCrop ?? false;
    let loc: LocateResult;
    let specP: Promise<EmbedResult> | undefined;
    let usedPrior = false;
    const prior = this.prior;
    const anchor = cfg.tracking.shiftMaxResidual > 0 && !mirror && !keep ? track?.anchor : undefined;
    let shift = anchor ? this.shifted(anchor, frame) : undefined;
    // Landmarks the speculative descriptor was computed with (tracked frames, two workers).
    let specLandmarks: Float32Array | undefined;
    if (shift && skipDetector) {
      // Landmarks already known: nothing to locate, nothing to speculate on.
      loc = shift.loc;
    } else if (shift && track) {
      // A detector frame while the face only moved: the detector alone (bystanders, and a check
      // that the face is where the shift says), the descriptor with the shifted landmarks.
      const lm = shift.loc.landmarks as Float32Array;
      const locP = this.locator.request<LocateResult>({
        op: 'locate',
        frame: msg,
        opts: { ...detectOpts(track), skipLandmarks: true },
      });
      if (this.handles.length === 2) {
        specLandmarks = lm;
        specP = this.embedder.request<EmbedResult>({ op: 'embed', frame: msg, landmarks: lm, returnCrop });
        specP.catch(() => undefined);
      }
      const det = await locP;
      const dominant = det.faces.find((f) => f.score >= cfg.quality.minScore);
      const predicted = predictBox(track, landmarkBox(lm));
      if (dominant && iou(dominant, predicted) >= cfg.tracking.minIou) {
        loc = { ...det, landmarks: lm, ms: { ...det.ms, landmarks: shift.loc.ms.landmarks } };
      } else {
        // Not where the shift put it: landmarks on what the detector found, checked as usual below.
        shift = undefined;
        const fresh = dominant
          ? await this.locator.request<LocateResult>({
              op: 'locate',
              frame: msg,
              opts: { ...detectOpts(track), box: dominant },
            })
          : undefined;
        loc = {
          ...det,
          ...(fresh?.landmarks ? { landmarks: fresh.landmarks } : {}),
          ms: { detect: det.ms.detect, landmarks: fresh?.ms.landmarks ?? 0 },
        };
      }
    } else if (
      !track &&
      prior &&
      !mirror &&
      !keep &&
      cfg.tracking.enabled &&
      cfg.tracking.priorMaxAgeMs > 0 &&
      Math.abs(ts - prior.ts) <= cfg.tracking.priorMaxAgeMs
    ) {
      loc = await this.locateAtPrior(msg, frame, prior, detectOpts(undefined));
      usedPrior = loc.landmarks !== undefined && loc.faces.length > 0 && loc.region !== undefined;
    } else {
      const locP = this.locator.request<LocateResult>({
        op: 'locate',
        frame: msg,
        opts: skipDetector && track ? { ...detectOpts(track), box: track.box } : detectOpts(track),
      });
      specLandmarks =
        track !== undefined && this.handles.length === 2 && !mirror && !keep ? track.landmarks : undefined;
      specP = specLandmarks
        ? this.embedder.request<EmbedResult>({
            op: 'embed',
            frame: msg,
            landmarks: specLandmarks,
            returnCrop,
          })
        : undefined;
      // Never leave a rejected speculative promise unobserved.
      specP?.catch(() => undefined);
      loc = await locP;
    }
    let faces = loc.faces;
    if (!loc.detected && track) {
      const lm = loc.landmarks;
      const lmBox = lm ? landmarkBox(lm) : undefined;
      if (lm && lmBox && iou(lmBox, track.lmBox) >= cfg.tracking.minIou) {
        faces = [predictBox(track, lmBox)];
      } else {
        // Lost the face between frames: detect on the whole frame now.
        track = undefined;
        this.track = undefined;
        loc = await this.locator.request<LocateResult>({
          op: 'locate',
          frame: msg,
          opts: detectOpts(undefined),
        });
        faces = loc.faces;
      }
    }
    const ms = {
      total: 0,
      detect: loc.ms.detect,
      landmarks: loc.ms.landmarks,
      align: 0,
      descriptor: 0,
    };
    const base = {
      ts,
      faces,
      detected: loc.detected,
      modelId: this.info.modelId,
      ms,
      ...(shift ? { shiftResidual: shift.residual } : {}),
    };
    const finish = (a: Omit<FaceAnalysis, 'ms' | 'ts' | 'faces' | 'modelId' | 'detected'>): FaceAnalysis => {
      ms.total = performance.now() - t0;
      return { ...base, ...a };
    };

    const det = checkDetections(faces, frame.width, frame.height, cfg.quality);
    const face = 'face' in det ? det.face : undefined;
    const landmarks = loc.landmarks;
    if (!face || !landmarks) {
      this.track = undefined;
      await specP?.catch(() => undefined);
      return finish({ ok: false, issue: 'issue' in det ? det.issue : undefined, path: 'cold' });
    }
    const lmBox = landmarkBox(landmarks);
    this.track = {
      landmarks,
      lmBox,
      box: face,
      rel:
        loc.detected || !track
          ? {
              x: (face.x - lmBox.x) / lmBox.width,
              y: (face.y - lmBox.y) / lmBox.height,
              w: face.width / lmBox.width,
              h: face.height / lmBox.height,
            }
          : track.rel,
      ts,
      // After a region-only detection the next frame looks at the whole frame (bystanders).
      sinceDetect: usedPrior
        ? Math.max(0, cfg.tracking.detectEvery - 1)
        : loc.detected
          ? 0
          : (track?.sinceDetect ?? 0) + 1,
      // Shifted landmarks keep the anchor they were moved from; fresh ones from the net start a new one.
      ...(shift
        ? { anchor: track?.anchor }
        : cfg.tracking.shiftMaxResidual > 0
          ? { anchor: { cells: shiftAnchor(frame, landmarks), landmarks } }
          : {}),
    };
    this.prior = this.track;
    const pose = poseFromLandmarks(landmarks);
    const gateIssue = 'issue' in det ? det.issue : checkPose(pose, cfg.quality);
    if (gateIssue && !opts.ignoreGates) {
      await specP?.catch(() => undefined);
      return finish({
        ok: false,
        issue: gateIssue,
        landmarks,
        pose,
        path: shift ? 'shifted' : track ? 'tracked' : usedPrior ? 'prior' : 'cold',
      });
    }

    let emb: EmbedResult | undefined;
    let path: FaceAnalysis['path'] = shift ? 'shifted' : usedPrior ? 'prior' : 'cold';
    let drift: number | undefined;
    if (specP && shift) {
      emb = await specP;
      path = 'shifted';
    } else if (specP && specLandmarks) {
      drift = alignmentDrift(this.info.descriptor.alignment, specLandmarks, landmarks);
      const spec = await specP;
      // The limit is set for a 150 px chip: scaled to the model's crop, the same movement of the face.
      const maxDrift = (cfg.tracking.maxDriftPx * this.info.descriptor.alignment.size) / 150;
      if (drift <= maxDrift) {
        emb = spec;
        path = 'tracked';
      } else path = 'retracked';
    } else await specP?.catch(() => undefined);
    emb ??= await this.embedder.request<EmbedResult>({
      op: 'embed',
      frame: msg,
      landmarks,
      returnCrop,
      mirror,
      keep,
    });
    ms.align = emb.ms.align;
    ms.descriptor = emb.ms.descriptor;
    const issue = gateIssue ?? checkCrop(emb.stats, cfg.quality);
    const extra = { ...(emb.crop ? { crop: emb.crop } : {}), ...(emb.kept ? { kept: emb.kept } : {}) };
    if (issue && !opts.ignoreGates) {
      return finish({ ok: false, issue, landmarks, pose, stats: emb.stats, path, ...extra });
    }
    return finish({
      ok: !issue,
      ...(issue ? { issue } : {}),
      landmarks,
      pose,
      stats: emb.stats,
      descriptor: emb.descriptor,
      ...(emb.mirrored ? { mirrored: emb.mirrored } : {}),
      path,
      ...(drift !== undefined ? { drift } : {}),
      ...extra,
    });
  }

  /** The tracked face's landmarks moved with it, if it only moved since `anchor` (shift.ts). */
  private shifted(
    anchor: NonNullable<Track['anchor']>,
    frame: FrameData,
  ): { loc: LocateResult; residual: number } | undefined {
    const t = performance.now();
    const est = estimateShift(anchor.cells, frame);
    if (est.atEdge || est.residual > this.config.tracking.shiftMaxResidual) return undefined;
    const landmarks = shiftLandmarks(anchor.landmarks, est.dx, est.dy);
    const ms = { detect: 0, landmarks: performance.now() - t };
    return { loc: { faces: [], inputSize: 0, detected: false, landmarks, ms }, residual: est.residual };
  }

  /**
   * A new face while the last one's place is known (`tracking.priorMaxAgeMs`): the detector on a
   * square region around the last face (`tracking.priorRegion` x its width) at a small input, then
   * landmarks; the whole frame (configured sizes) when the region holds no confident face.
   */
  private async locateAtPrior(
    msg: FrameMsg,
    frame: FrameData,
    prior: Track,
    full: LocateOptions,
  ): Promise<LocateResult> {
    const cfg = this.config;
    const b = prior.box;
    const side = Math.min(
      Math.max(frame.width, frame.height),
      cfg.tracking.priorRegion * Math.max(b.width, b.height),
    );
    const cx = b.x + b.width / 2;
    const cy = b.y + b.height / 2;
    const x = Math.max(0, Math.min(frame.width - side, cx - side / 2));
    const y = Math.max(0, Math.min(frame.height - side, cy - side / 2));
    const region: Box = { x, y, width: Math.min(side, frame.width), height: Math.min(side, frame.height) };
    const size = detectorSizes(cfg.detector, b.width / region.width)[0] ?? 160;
    const near = await this.locator.request<LocateResult>({
      op: 'locate',
      frame: msg,
      opts: { ...full, inputSizes: [size], region },
    });
    if (near.landmarks) return near;
    const rest = await this.locator.request<LocateResult>({ op: 'locate', frame: msg, opts: full });
    return { ...rest, ms: { ...rest.ms, detect: near.ms.detect + rest.ms.detect } };
  }

  /**
   * Descriptor of a face whose 68 landmarks are already known (no detector, no gates): re-deriving
   * templates from kept enrollment crops. Serialised with `analyze`.
   */
  embedLandmarks(
    frame: FrameData,
    landmarks: Float32Array,
    opts: { mirror?: boolean } = {},
  ): Promise<EmbedResult> {
    const run = this.busy.then(
      () => this.embedNow(frame, landmarks, opts.mirror ?? false),
      () => this.embedNow(frame, landmarks, opts.mirror ?? false),
    );
    this.busy = run.catch(() => undefined);
    return run;
  }

  private embedNow(frame: FrameData, landmarks: Float32Array, mirror: boolean): Promise<EmbedResult> {
    const msg: FrameMsg = { data: this.share(frame.data), width: frame.width, height: frame.height };
    return this.embedder.request<EmbedResult>({
      op: 'embed',
      frame: msg,
      landmarks,
      returnCrop: false,
      mirror,
    });
  }

  /**
   * Copies the frame once into shared memory that both workers read without a structured-clone
   * copy each. Reused: analyze() is serialised and always waits for both workers before returning.
   */
  private share(data: Uint8Array): Uint8Array {
    if (!this.shared || this.shared.length !== data.length) {
      this.shared = new Uint8Array(new SharedArrayBuffer(data.length));
    }
    this.shared.set(data);
    return this.shared;
  }

  /** Resident memory and live tensors of each worker. */
  async memory(): Promise<{ rss: number; tensors: number }[]> {
    return Promise.all(
      this.handles.map((h) => h.request<{ rss: number; tensors: number }>({ op: 'memory' })),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.close()));
  }
}
