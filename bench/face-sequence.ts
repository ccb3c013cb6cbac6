/**
 * Synthetic kiosk sequences for the face benchmark's time-to-recognition pass. Pure and
 * deterministic: the same photos, options and key give the same frames, byte for byte.
 *
 * A sequence shows one person: several of their photos in turn, each held for a few frames
 * (`holdFrames`), every frame a warp of the decoded 640x480 picture about the frame's centre (the
 * pictures are letterboxed there): a drifting shift (sub-pixel steps), a scale within
 * `scaleRange`, a turn within +-`maxRotationDeg`, now and then a 3x3 blur, and sensor noise on
 * every frame. Each photo starts at its own random pose; its frames then drift from there, as a
 * person standing at the kiosk sways and leans. Not one picture moved a pixel at a time: the
 * turns and changes of size are what makes a tracker fall back to its landmark net.
 */
import type { FrameData } from '../face/analyzer.ts';

export interface SequenceOptions {
  /** Mixed into every key: another seed gives other motion for the same photos. */
  seed: number;
  /** Frames each photo is held, inclusive [min, max]. */
  holdFrames: readonly [number, number];
  /** The shift stays within +-this many pixels of the frame's centre, per axis. */
  maxShiftPx: number;
  /** Per-frame shift step, standard deviation in pixels. */
  shiftStepPx: number;
  scaleRange: readonly [number, number];
  /** Per-frame relative change of scale, standard deviation. */
  scaleStep: number;
  maxRotationDeg: number;
  /** Per-frame change of angle, standard deviation in degrees. */
  rotationStepDeg: number;
  /** Chance that a frame is blurred (3x3 box: motion, focus). */
  blurChance: number;
  /** Sensor noise, standard deviation in grey levels (triangular, per channel). */
  noiseSigma: number;
}

export const DEFAULT_SEQUENCE: SequenceOptions = {
  seed: 1,
  holdFrames: [4, 6],
  maxShiftPx: 6,
  shiftStepPx: 0.6,
  scaleRange: [0.95, 1.05],
  scaleStep: 0.008,
  maxRotationDeg: 3,
  rotationStepDeg: 0.6,
  blurChance: 0.15,
  noiseSigma: 2.5,
};

export interface FrameMotion {
  dx: number;
  dy: number;
  scale: number;
  rotationDeg: number;
  blur: boolean;
  /** Seed of this frame's noise. */
  noiseSeed: number;
}

export interface PlannedFrame {
  /** Index into the sequence's photos. */
  photo: number;
  motion: FrameMotion;
}

/** mulberry32: small, fast, good enough for test motion; returns [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A string key hashed with the seed (FNV-1a), so each sequence's motion depends on its name only. */
export function seedFor(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Approximately normal (sum of three uniforms), mean 0, standard deviation 1. */
function gauss(rnd: () => number): number {
  return (rnd() + rnd() + rnd() - 1.5) * 2;
}

/** The frames of a sequence of `photos` photos, as photo index and motion per frame. */
export function planSequence(
  photos: number,
  key: string,
  opts: SequenceOptions = DEFAULT_SEQUENCE,
): PlannedFrame[] {
  const rnd = prng(seedFor(opts.seed, key));
  const [holdMin, holdMax] = opts.holdFrames;
  const [sMin, sMax] = opts.scaleRange;
  const frames: PlannedFrame[] = [];
  for (let p = 0; p < photos; p++) {
    const hold = holdMin + Math.floor(rnd() * (holdMax - holdMin + 1));
    // A new photo: the person stepped back in at a pose of their own.
    let dx = (rnd() * 2 - 1) * opts.maxShiftPx * 0.5;
    let dy = (rnd() * 2 - 1) * opts.maxShiftPx * 0.5;
    let scale = sMin + rnd() * (sMax - sMin);
    let rotationDeg = (rnd() * 2 - 1) * opts.maxRotationDeg * 0.5;
    for (let i = 0; i < hold; i++) {
      if (i > 0) {
        dx = clamp(dx + gauss(rnd) * opts.shiftStepPx, -opts.maxShiftPx, opts.maxShiftPx);
        dy = clamp(dy + gauss(rnd) * opts.shiftStepPx, -opts.maxShiftPx, opts.maxShiftPx);
        scale = clamp(scale * (1 + gauss(rnd) * opts.scaleStep), sMin, sMax);
        rotationDeg = clamp(
          rotationDeg + gauss(rnd) * opts.rotationStepDeg,
          -opts.maxRotationDeg,
          opts.maxRotationDeg,
        );
      }
      const blur = rnd() < opts.blurChance;
      const noiseSeed = Math.floor(rnd() * 0x7fffffff);
      frames.push({ photo: p, motion: { dx, dy, scale, rotationDeg, blur, noiseSeed } });
    }
  }
  return frames;
}

/**
 * The picture turned by `rotationDeg` and scaled by `scale` about the frame's centre, then moved
 * by (dx, dy); bilinear, edges clamped (the letterbox is grey there anyway). Then the optional
 * 3x3 blur and the noise.
 */
export function renderFrame(src: FrameData, m: FrameMotion, noiseSigma: number): Uint8Array {
  const { width: w, height: h } = src;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const rad = (-m.rotationDeg * Math.PI) / 180;
  const c = Math.cos(rad) / m.scale;
  const s = Math.sin(rad) / m.scale;
  const d = src.data;
  let out: Uint8Array = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const uy = y - m.dy - cy;
    for (let x = 0; x < w; x++) {
      const ux = x - m.dx - cx;
      const fx = clamp(cx + c * ux - s * uy, 0, w - 1.001);
      const fy = clamp(cy + s * ux + c * uy, 0, h - 1.001);
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const ax = fx - x0;
      const ay = fy - y0;
      const i00 = (y0 * w + x0) * 3;
      const i10 = i00 + 3;
      const i01 = i00 + w * 3;
      const i11 = i01 + 3;
      const o = (y * w + x) * 3;
      for (let k = 0; k < 3; k++) {
        const top = (1 - ax) * (d[i00 + k] as number) + ax * (d[i10 + k] as number);
        const bottom = (1 - ax) * (d[i01 + k] as number) + ax * (d[i11 + k] as number);
        out[o + k] = Math.round((1 - ay) * top + ay * bottom);
      }
    }
  }
  if (m.blur) out = boxBlur3(out, w, h);
  if (noiseSigma > 0) addNoise(out, noiseSigma, m.noiseSeed);
  return out;
}

/** 3x3 box blur, edges clamped. */
export function boxBlur3(src: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(src.length);
  const row = w * 3;
  for (let y = 0; y < h; y++) {
    const up = y > 0 ? -row : 0;
    const down = y < h - 1 ? row : 0;
    for (let x = 0; x < w; x++) {
      const left = x > 0 ? -3 : 0;
      const right = x < w - 1 ? 3 : 0;
      const o = y * row + x * 3;
      for (let k = o; k < o + 3; k++) {
        const a = k + up;
        const b = k + down;
        const sum =
          (src[a + left] as number) +
          (src[a] as number) +
          (src[a + right] as number) +
          (src[k + left] as number) +
          (src[k] as number) +
          (src[k + right] as number) +
          (src[b + left] as number) +
          (src[b] as number) +
          (src[b + right] as number);
        out[k] = Math.round(sum / 9);
      }
    }
  }
  return out;
}

/** Triangular noise (difference of two uniforms) of standard deviation `sigma`, in place. */
function addNoise(data: Uint8Array, sigma: number, seed: number): void {
  const rnd = prng(seed);
  // The difference of two uniforms on [0, a) has standard deviation a / sqrt(6).
  const a = sigma * Math.sqrt(6);
  for (let i = 0; i < data.length; i++) {
    const v = (data[i] as number) + (rnd() - rnd()) * a;
    data[i] = clamp(Math.round(v), 0, 255);
  }
}

/** A whole sequence: `photos` in turn, each held a few frames, as frames ready for the engine. */
export function makeSequence(
  photos: readonly FrameData[],
  key: string,
  opts: SequenceOptions = DEFAULT_SEQUENCE,
): { frames: FrameData[]; plan: PlannedFrame[] } {
  const plan = planSequence(photos.length, key, opts);
  const frames = plan.map((p) => {
    const src = photos[p.photo] as FrameData;
    return { width: src.width, height: src.height, data: renderFrame(src, p.motion, opts.noiseSigma) };
  });
  return { frames, plan };
}
