/**
 * The face the engine follows from frame to frame (engine.ts): where it is, how its detector box
 * sits on its landmarks, and the inner-face anchor its shift is measured against (shift.ts).
 */
import { type Box, iou, landmarkBox } from './align.ts';
import type { FrameData, LocateResult } from './analyzer.ts';
import type { FaceEngineConfig } from './engine-config.ts';
import type { ScoredBox } from './quality.ts';
import { estimateShift, type ShiftAnchor, shiftAnchor, shiftLandmarks } from './shift.ts';

export interface Track {
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

/** The face's landmarks moved with it (no landmark net), and what the shift left unexplained. */
export interface Shifted {
  loc: LocateResult;
  residual: number;
}

/** The detector-style face box for landmarks with bounding box `lmBox`, placed as on the track's last detection. */
export function predictBox(track: Track, lmBox: Box): ScoredBox {
  const r = track.rel;
  return {
    x: lmBox.x + r.x * lmBox.width,
    y: lmBox.y + r.y * lmBox.height,
    width: r.w * lmBox.width,
    height: r.h * lmBox.height,
    score: track.box.score,
  };
}

/** The tracked face's box for landmarks found on its carried-over box; undefined when they left it. */
export function faceOnTrack(
  track: Track,
  landmarks: Float32Array | undefined,
  minIou: number,
): ScoredBox | undefined {
  if (!landmarks) return undefined;
  const lmBox = landmarkBox(landmarks);
  return iou(lmBox, track.lmBox) >= minIou ? predictBox(track, lmBox) : undefined;
}

/** The tracked face's landmarks moved with it, if it only moved since `anchor` (shift.ts). */
export function shiftedLandmarks(
  anchor: NonNullable<Track['anchor']>,
  frame: FrameData,
  maxResidual: number,
): Shifted | undefined {
  const t = performance.now();
  const est = estimateShift(anchor.cells, frame);
  if (est.atEdge || est.residual > maxResidual) return undefined;
  const landmarks = shiftLandmarks(anchor.landmarks, est.dx, est.dy);
  const ms = { detect: 0, landmarks: performance.now() - t };
  return { loc: { faces: [], inputSize: 0, detected: false, landmarks, ms }, residual: est.residual };
}

/** The track after a frame whose dominant face is `face` with these landmarks. */
export function nextTrack(
  tracking: FaceEngineConfig['tracking'],
  prev: Track | undefined,
  seen: {
    frame: FrameData;
    ts: number;
    face: ScoredBox;
    landmarks: Float32Array;
    detected: boolean;
    usedPrior: boolean;
    shifted: boolean;
  },
): Track {
  const { face, landmarks } = seen;
  const lmBox = landmarkBox(landmarks);
  return {
    landmarks,
    lmBox,
    box: face,
    rel:
      seen.detected || !prev
        ? {
            x: (face.x - lmBox.x) / lmBox.width,
            y: (face.y - lmBox.y) / lmBox.height,
            w: face.width / lmBox.width,
            h: face.height / lmBox.height,
          }
        : prev.rel,
    ts: seen.ts,
    // After a region-only detection the next frame looks at the whole frame (bystanders).
    sinceDetect: seen.usedPrior
      ? Math.max(0, tracking.detectEvery - 1)
      : seen.detected
        ? 0
        : (prev?.sinceDetect ?? 0) + 1,
    // Shifted landmarks keep the anchor they were moved from; fresh ones from the net start a new one.
    ...(seen.shifted
      ? { anchor: prev?.anchor }
      : tracking.shiftMaxResidual > 0
        ? { anchor: { cells: shiftAnchor(seen.frame, landmarks), landmarks } }
        : {}),
  };
}
