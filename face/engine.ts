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
import { alignmentDrift, type KeptFace } from './align.ts';
import type { EmbedResult, FrameData, LocateResult } from './analyzer.ts';
import type { DescriptorInfo } from './descriptor.ts';
import { type DeepPartial, type FaceEngineConfig, resolveEngineConfig } from './engine-config.ts';
import {
  detectOptions,
  type EngineWorkers,
  type FrameJob,
  type Located,
  locateFrame,
} from './engine-locate.ts';
import { faceOnTrack, nextTrack, type Track } from './engine-track.ts';
import type { FrameMsg } from './engine-worker.ts';
import { WorkerHandle } from './engine-workers.ts';
import {
  type CropStats,
  checkCrop,
  checkDetections,
  checkPose,
  type Pose,
  poseFromLandmarks,
  type QualityIssue,
  type ScoredBox,
} from './quality.ts';

export { landmarkBox } from './align.ts';
export {
  DEFAULT_ENGINE_CONFIG,
  type DeepPartial,
  detectorSizes,
  type FaceEngineConfig,
  resolveEngineConfig,
} from './engine-config.ts';

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
    private readonly workers: EngineWorkers,
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
    return new FaceEngine(config, info, { locator, embedder, parallel: handles.length === 2 }, handles);
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
    const job: FrameJob = {
      frame,
      ts,
      msg: { data: this.share(frame.data), width: frame.width, height: frame.height },
      returnCrop: opts.returnCrop ?? false,
      mirror: opts.mirror ?? false,
      keep: opts.keepCrop ?? false,
    };
    let track =
      cfg.tracking.enabled && this.track && Math.abs(ts - this.track.ts) <= cfg.tracking.maxAgeMs
        ? this.track
        : undefined;
    if (!track) this.track = undefined;
    const located = await locateFrame(cfg, this.workers, job, track, this.prior);
    const { shift, spec, usedPrior } = located;
    let loc = located.loc;
    let faces = loc.faces;
    if (!loc.detected && track) {
      const onTrack = faceOnTrack(track, loc.landmarks, cfg.tracking.minIou);
      if (onTrack) faces = [onTrack];
      else {
        // Lost the face between frames: detect on the whole frame now.
        track = undefined;
        this.track = undefined;
        loc = await this.workers.locator.request<LocateResult>({
          op: 'locate',
          frame: job.msg,
          opts: detectOptions(cfg, frame.width),
        });
        faces = loc.faces;
      }
    }
    const ms = { total: 0, detect: loc.ms.detect, landmarks: loc.ms.landmarks, align: 0, descriptor: 0 };
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
      await spec?.result.catch(() => undefined);
      return finish({ ok: false, issue: 'issue' in det ? det.issue : undefined, path: 'cold' });
    }
    const seen = { frame, ts, face, landmarks, detected: loc.detected, usedPrior, shifted: !!shift };
    this.track = nextTrack(cfg.tracking, track, seen);
    this.prior = this.track;
    const pose = poseFromLandmarks(landmarks);
    const gateIssue = 'issue' in det ? det.issue : checkPose(pose, cfg.quality);
    if (gateIssue && !opts.ignoreGates) {
      await spec?.result.catch(() => undefined);
      return finish({
        ok: false,
        issue: gateIssue,
        landmarks,
        pose,
        path: shift ? 'shifted' : track ? 'tracked' : usedPrior ? 'prior' : 'cold',
      });
    }

    const { emb, path, drift } = await this.describe(job, located, landmarks);
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

  /**
   * The descriptor for the frame's final landmarks: the speculative one when it was computed with
   * the shifted landmarks, or with landmarks the face has not drifted from since; else a new one.
   */
  private async describe(
    job: FrameJob,
    { spec, shift, usedPrior }: Located,
    landmarks: Float32Array,
  ): Promise<{ emb: EmbedResult; path: FaceAnalysis['path']; drift?: number }> {
    let emb: EmbedResult | undefined;
    let path: FaceAnalysis['path'] = shift ? 'shifted' : usedPrior ? 'prior' : 'cold';
    let drift: number | undefined;
    if (spec && shift) {
      emb = await spec.result;
    } else if (spec) {
      drift = alignmentDrift(this.info.descriptor.alignment, spec.landmarks, landmarks);
      const result = await spec.result;
      // The limit is set for a 150 px chip: scaled to the model's crop, the same movement of the face.
      const maxDrift = (this.config.tracking.maxDriftPx * this.info.descriptor.alignment.size) / 150;
      if (drift <= maxDrift) {
        emb = result;
        path = 'tracked';
      } else path = 'retracked';
    }
    emb ??= await this.workers.embedder.request<EmbedResult>({
      op: 'embed',
      frame: job.msg,
      landmarks,
      returnCrop: job.returnCrop,
      mirror: job.mirror,
      keep: job.keep,
    });
    return { emb, path, ...(drift !== undefined ? { drift } : {}) };
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
    return this.workers.embedder.request<EmbedResult>({
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
