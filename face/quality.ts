/**
 * Quality gates run before any match. Pure functions (no tensors), so they are unit-testable and
 * cheap: size and position from the detector box, pose from the 68 landmarks, brightness and
 * sharpness from the aligned face crop (a fixed scale, so thresholds do not depend on distance).
 */
import type { Box } from './align.ts';

export type QualityCode =
  | 'NO_FACE'
  | 'MULTIPLE_FACES'
  | 'TOO_FAR'
  | 'TOO_CLOSE'
  | 'OFF_CENTER'
  | 'NOT_FRONTAL'
  | 'TOO_DARK'
  | 'TOO_BRIGHT'
  | 'BLURRY';

/** Texts for the kiosk screen: Indonesian first, English second. */
export const QUALITY_TEXT: Record<QualityCode, { id: string; en: string }> = {
  NO_FACE: { id: 'Wajah tidak terlihat', en: 'No face in view' },
  MULTIPLE_FACES: { id: 'Satu orang saja di depan kamera', en: 'One person at a time' },
  TOO_FAR: { id: 'Mendekat ke kamera', en: 'Move closer' },
  TOO_CLOSE: { id: 'Mundur sedikit', en: 'Move back a little' },
  OFF_CENTER: { id: 'Posisikan wajah di tengah', en: 'Centre your face' },
  NOT_FRONTAL: { id: 'Hadap lurus ke kamera', en: 'Look straight at the camera' },
  TOO_DARK: { id: 'Terlalu gelap, cari cahaya', en: 'Too dark' },
  TOO_BRIGHT: { id: 'Terlalu terang / silau', en: 'Too bright' },
  BLURRY: { id: 'Tahan posisi sebentar', en: 'Hold still' },
};

export interface QualityIssue {
  code: QualityCode;
  /** "Mendekat ke kamera / Move closer". */
  message: string;
  /** Measured value and limit, for logs and tuning. */
  value?: number;
  limit?: number;
}

export function issue(code: QualityCode, value?: number, limit?: number): QualityIssue {
  const t = QUALITY_TEXT[code];
  return {
    code,
    message: `${t.id} / ${t.en}`,
    ...(value !== undefined ? { value } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
}

export interface QualityConfig {
  /** Minimum detector confidence for the face to be matched (other faces count from the detector's threshold). */
  minScore: number;
  /** Minimum face box width in frame pixels. */
  minFacePx: number;
  /** Maximum face box width as a fraction of the frame width. */
  maxFaceFraction: number;
  /** A second face at least this fraction of the dominant face's width means "several people". */
  secondFaceRatio: number;
  /** Fraction of the face box allowed outside the frame before OFF_CENTER. */
  maxOutside: number;
  /** |yaw| limit, as the nose's offset from the face midline (0 frontal, 1 profile). */
  maxYaw: number;
  /** Nose-tip height between eye line (0) and mouth line (1): allowed range. */
  pitchRange: [number, number];
  /** |roll| limit in degrees. */
  maxRollDeg: number;
  /** Mean luma (0-255) of the face crop. */
  minBrightness: number;
  maxBrightness: number;
  /** Variance of the Laplacian of the face crop's luma at the model's input size. */
  minSharpness: number;
}

export const DEFAULT_QUALITY: QualityConfig = {
  minScore: 0.5,
  minFacePx: 80,
  maxFaceFraction: 0.8,
  secondFaceRatio: 0.6,
  maxOutside: 0.1,
  // Pose and sharpness limits measured against what the default descriptor (mfn512) needs
  // (`bench/face-calibrate.ts --gates`, set on dev-asia, checked on dev; docs/FACE-ENGINE.md):
  // |yaw| up to 0.75 still matched with distances <= 0.92 on both sets while a real profile
  // measures ~1.0; roll is undone by the alignment (27 deg matched at 0.68, the largest in the
  // sets); under synthetic blur (bench/face-blur.ts) it holds down to ~10, loses some accepts
  // between 5 and 10 and collapses below 5.
  maxYaw: 0.8,
  pitchRange: [0.15, 0.8],
  maxRollDeg: 30,
  minBrightness: 45,
  maxBrightness: 220,
  minSharpness: 10,
};

export interface ScoredBox extends Box {
  score: number;
}

/** Gates that need only the detector output. Returns the dominant face or the first failure. */
export function checkDetections(
  faces: readonly ScoredBox[],
  frameWidth: number,
  frameHeight: number,
  cfg: QualityConfig,
): { face: ScoredBox } | { issue: QualityIssue; face?: ScoredBox } {
  const sorted = [...faces].sort((a, b) => b.width - a.width);
  const face = sorted.find((f) => f.score >= cfg.minScore);
  if (!face) return { issue: issue('NO_FACE') };
  // Any other detection counts as a second person, even below minScore (the detector's own
  // threshold already applies): a half-visible bystander is still a bystander.
  const second = sorted.find((f) => f !== face);
  if (second && second.width >= cfg.secondFaceRatio * face.width) {
    return { issue: issue('MULTIPLE_FACES', second.width / face.width, cfg.secondFaceRatio), face };
  }
  const inX = Math.max(0, Math.min(face.x + face.width, frameWidth) - Math.max(face.x, 0));
  const inY = Math.max(0, Math.min(face.y + face.height, frameHeight) - Math.max(face.y, 0));
  const outside = 1 - (inX * inY) / (face.width * face.height);
  if (face.width > cfg.maxFaceFraction * frameWidth) {
    return { issue: issue('TOO_CLOSE', face.width / frameWidth, cfg.maxFaceFraction), face };
  }
  if (outside > cfg.maxOutside) return { issue: issue('OFF_CENTER', outside, cfg.maxOutside), face };
  if (face.width < cfg.minFacePx) return { issue: issue('TOO_FAR', face.width, cfg.minFacePx), face };
  return { face };
}

export interface Pose {
  /** Signed horizontal offset of the nose tip from the face midline, -1..1 (0 = frontal). */
  yaw: number;
  /** Nose tip height between the eye line (0) and the mouth line (1); ~0.5 frontal. */
  pitch: number;
  /** Eye-line angle, degrees. */
  rollDeg: number;
}

/** Rough head pose from 68 landmarks given as [x0, y0, x1, y1, ...]. */
export function poseFromLandmarks(lm: ArrayLike<number>): Pose {
  const px = (i: number) => lm[2 * i] as number;
  const py = (i: number) => lm[2 * i + 1] as number;
  const mean = (from: number, to: number) => {
    let x = 0;
    let y = 0;
    for (let i = from; i <= to; i++) {
      x += px(i);
      y += py(i);
    }
    const n = to - from + 1;
    return { x: x / n, y: y / n };
  };
  const le = mean(36, 41);
  const re = mean(42, 47);
  const ex = re.x - le.x;
  const ey = re.y - le.y;
  const eyeDist = Math.hypot(ex, ey) || 1;
  const ux = ex / eyeDist;
  const uy = ey / eyeDist;
  const rollDeg = (Math.atan2(ey, ex) * 180) / Math.PI;
  // Yaw: nose tip (30) projected on the eye axis, relative to the jaw ends (0 and 16).
  const proj = (i: number) => px(i) * ux + py(i) * uy;
  const j0 = proj(0);
  const j16 = proj(16);
  const span = j16 - j0 || 1;
  const yaw = (2 * (proj(30) - j0)) / span - 1;
  // Pitch: nose tip (30) on the axis perpendicular to the eyes, between eye line and mouth line.
  const perp = (x: number, y: number) => -x * uy + y * ux;
  const eyeLine = perp((le.x + re.x) / 2, (le.y + re.y) / 2);
  const mouth = mean(48, 67);
  const mouthLine = perp(mouth.x, mouth.y);
  const pitch = (perp(px(30), py(30)) - eyeLine) / (mouthLine - eyeLine || 1);
  return { yaw, pitch, rollDeg };
}

export function checkPose(pose: Pose, cfg: QualityConfig): QualityIssue | undefined {
  if (Math.abs(pose.yaw) > cfg.maxYaw) return issue('NOT_FRONTAL', pose.yaw, cfg.maxYaw);
  if (pose.pitch < cfg.pitchRange[0]) return issue('NOT_FRONTAL', pose.pitch, cfg.pitchRange[0]);
  if (pose.pitch > cfg.pitchRange[1]) return issue('NOT_FRONTAL', pose.pitch, cfg.pitchRange[1]);
  if (Math.abs(pose.rollDeg) > cfg.maxRollDeg) return issue('NOT_FRONTAL', pose.rollDeg, cfg.maxRollDeg);
  return undefined;
}

export interface CropStats {
  /** Mean luma 0-255. */
  brightness: number;
  /** Variance of the 4-neighbour Laplacian of luma. */
  sharpness: number;
}

/**
 * Brightness and sharpness of the central part of an aligned face crop (size x size RGB). The
 * centre (inner 60%) avoids background and black borders from the warp.
 */
export function cropStats(rgb: Uint8Array, size: number): CropStats {
  const from = Math.floor(size * 0.2);
  const to = Math.ceil(size * 0.8);
  const n = to - from;
  const luma = new Float32Array(n * n);
  let sum = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const i = ((y + from) * size + (x + from)) * 3;
      const l = 0.299 * (rgb[i] as number) + 0.587 * (rgb[i + 1] as number) + 0.114 * (rgb[i + 2] as number);
      luma[y * n + x] = l;
      sum += l;
    }
  }
  let lsum = 0;
  let lsq = 0;
  let cnt = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) {
      const c = y * n + x;
      const lap =
        (luma[c - 1] as number) +
        (luma[c + 1] as number) +
        (luma[c - n] as number) +
        (luma[c + n] as number) -
        4 * (luma[c] as number);
      lsum += lap;
      lsq += lap * lap;
      cnt++;
    }
  }
  const mean = cnt > 0 ? lsum / cnt : 0;
  return { brightness: sum / (n * n), sharpness: cnt > 0 ? lsq / cnt - mean * mean : 0 };
}

export function checkCrop(stats: CropStats, cfg: QualityConfig): QualityIssue | undefined {
  if (stats.brightness < cfg.minBrightness) return issue('TOO_DARK', stats.brightness, cfg.minBrightness);
  if (stats.brightness > cfg.maxBrightness) return issue('TOO_BRIGHT', stats.brightness, cfg.maxBrightness);
  if (stats.sharpness < cfg.minSharpness) return issue('BLURRY', stats.sharpness, cfg.minSharpness);
  return undefined;
}
