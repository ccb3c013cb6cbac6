/**
 * The locate step of one frame (engine.ts): where the face is and its 68 landmarks, by one of four
 * paths (shift only, detector while shifted, the last face's region, tracked box or whole frame),
 * with the descriptor started on the embed worker meanwhile where the landmarks are already known.
 */
import { type Box, iou, landmarkBox } from './align.ts';
import type { EmbedResult, FrameData, LocateOptions, LocateResult } from './analyzer.ts';
import { detectorSizes, type FaceEngineConfig } from './engine-config.ts';
import { predictBox, type Shifted, shiftedLandmarks, type Track } from './engine-track.ts';
import type { FrameMsg } from './engine-worker.ts';
import type { WorkerHandle } from './engine-workers.ts';

/** One frame being analysed and what the caller asked for. */
export interface FrameJob {
  frame: FrameData;
  /** The frame in shared memory, as the workers get it. */
  msg: FrameMsg;
  ts: number;
  returnCrop: boolean;
  mirror: boolean;
  keep: boolean;
}

export interface EngineWorkers {
  locator: WorkerHandle;
  embedder: WorkerHandle;
  /** Two workers: a descriptor can be computed while the locator works. */
  parallel: boolean;
}

/** A descriptor computed speculatively, and the landmarks it was computed with. */
export interface Speculation {
  result: Promise<EmbedResult>;
  landmarks: Float32Array;
}

export interface Located {
  loc: LocateResult;
  /** Set when the face only moved and its landmarks were moved with it (`path: 'shifted'`). */
  shift: Shifted | undefined;
  spec: Speculation | undefined;
  /** The face was found in the last face's region (`path: 'prior'`). */
  usedPrior: boolean;
}

/** Detector options; with a track, its face's width picks a small input (`detectorSizes`). */
export function detectOptions(cfg: FaceEngineConfig, frameWidth: number, track?: Track): LocateOptions {
  return {
    inputSizes: detectorSizes(cfg.detector, track ? track.box.width / frameWidth : undefined),
    scoreThreshold: cfg.detector.scoreThreshold,
    minScore: cfg.quality.minScore,
  };
}

function speculate(w: EngineWorkers, job: FrameJob, landmarks: Float32Array): Speculation {
  const result = w.embedder.request<EmbedResult>({
    op: 'embed',
    frame: job.msg,
    landmarks,
    returnCrop: job.returnCrop,
  });
  // Never leave a rejected speculative promise unobserved.
  result.catch(() => undefined);
  return { result, landmarks };
}

/** Locates the face of `job`'s frame, given the live track (if any) and the last face seen. */
export async function locateFrame(
  cfg: FaceEngineConfig,
  w: EngineWorkers,
  job: FrameJob,
  track: Track | undefined,
  prior: Track | undefined,
): Promise<Located> {
  const skipDetector = track !== undefined && track.sinceDetect + 1 < cfg.tracking.detectEvery;
  const anchor = cfg.tracking.shiftMaxResidual > 0 && !job.mirror && !job.keep ? track?.anchor : undefined;
  const shift = anchor ? shiftedLandmarks(anchor, job.frame, cfg.tracking.shiftMaxResidual) : undefined;
  // Landmarks already known: nothing to locate, nothing to speculate on.
  if (shift && skipDetector) return { loc: shift.loc, shift, spec: undefined, usedPrior: false };
  if (shift && track) return detectWhileShifted(cfg, w, job, track, shift);
  if (
    !track &&
    prior &&
    !job.mirror &&
    !job.keep &&
    cfg.tracking.enabled &&
    cfg.tracking.priorMaxAgeMs > 0 &&
    Math.abs(job.ts - prior.ts) <= cfg.tracking.priorMaxAgeMs
  ) {
    const loc = await locateAtPrior(cfg, w.locator, job, prior);
    const usedPrior = loc.landmarks !== undefined && loc.faces.length > 0 && loc.region !== undefined;
    return { loc, shift: undefined, spec: undefined, usedPrior };
  }
  const opts = detectOptions(cfg, job.frame.width, track);
  const locP = w.locator.request<LocateResult>({
    op: 'locate',
    frame: job.msg,
    opts: skipDetector && track ? { ...opts, box: track.box } : opts,
  });
  // Tracked frame, two workers: the descriptor with the previous frame's landmarks meanwhile.
  const spec =
    track !== undefined && w.parallel && !job.mirror && !job.keep
      ? speculate(w, job, track.landmarks)
      : undefined;
  return { loc: await locP, shift: undefined, spec, usedPrior: false };
}

/**
 * A detector frame while the face only moved: the detector alone (bystanders, and a check that the
 * face is where the shift says), the descriptor with the shifted landmarks.
 */
async function detectWhileShifted(
  cfg: FaceEngineConfig,
  w: EngineWorkers,
  job: FrameJob,
  track: Track,
  shift: Shifted,
): Promise<Located> {
  const lm = shift.loc.landmarks as Float32Array;
  const locP = w.locator.request<LocateResult>({
    op: 'locate',
    frame: job.msg,
    opts: { ...detectOptions(cfg, job.frame.width, track), skipLandmarks: true },
  });
  const spec = w.parallel ? speculate(w, job, lm) : undefined;
  const det = await locP;
  const dominant = det.faces.find((f) => f.score >= cfg.quality.minScore);
  const predicted = predictBox(track, landmarkBox(lm));
  if (dominant && iou(dominant, predicted) >= cfg.tracking.minIou) {
    const loc = { ...det, landmarks: lm, ms: { ...det.ms, landmarks: shift.loc.ms.landmarks } };
    return { loc, shift, spec, usedPrior: false };
  }
  // Not where the shift put it: landmarks on what the detector found, checked as usual.
  const fresh = dominant
    ? await w.locator.request<LocateResult>({
        op: 'locate',
        frame: job.msg,
        opts: { ...detectOptions(cfg, job.frame.width, track), box: dominant },
      })
    : undefined;
  const loc = {
    ...det,
    ...(fresh?.landmarks ? { landmarks: fresh.landmarks } : {}),
    ms: { detect: det.ms.detect, landmarks: fresh?.ms.landmarks ?? 0 },
  };
  return { loc, shift: undefined, spec, usedPrior: false };
}

/**
 * A new face while the last one's place is known (`tracking.priorMaxAgeMs`): the detector on a
 * square region around the last face (`tracking.priorRegion` x its width) at a small input, then
 * landmarks; the whole frame (configured sizes) when the region holds no confident face.
 */
async function locateAtPrior(
  cfg: FaceEngineConfig,
  locator: WorkerHandle,
  job: FrameJob,
  prior: Track,
): Promise<LocateResult> {
  const { frame, msg } = job;
  const full = detectOptions(cfg, frame.width);
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
  const near = await locator.request<LocateResult>({
    op: 'locate',
    frame: msg,
    opts: { ...full, inputSizes: [size], region },
  });
  if (near.landmarks) return near;
  const rest = await locator.request<LocateResult>({ op: 'locate', frame: msg, opts: full });
  return { ...rest, ms: { ...rest.ms, detect: near.ms.detect + rest.ms.detect } };
}
