/**
 * Where did the face move between two frames? A small, pure image-registration step that lets a
 * tracked frame skip the landmark net when the face only shifted.
 *
 * The inner face (the box of landmarks 17-67: brows, eyes, nose, mouth; little background, which
 * would pull the estimate towards "no motion") is sampled once, when the landmark net last ran,
 * as a grid of grey cells averaged over their area (about 32 cells across). On a later frame the
 * same grid is sampled a few cells further out on every side, and the integer cell offset with the
 * smallest mean-removed squared difference is refined to a fraction of a cell by a parabola
 * through its neighbours. The result is the face's shift in frame pixels and the RMS grey-level
 * difference left after it: a person who only moved gives a small residual, one who turned, spoke
 * or was replaced by somebody else does not, and then the engine runs the landmark net again.
 */
import type { FrameData } from './analyzer.ts';

export interface ShiftAnchor {
  /** Mean-removed grey box averages, one per sample point. */
  cells: Float32Array;
  /** Sample points (box centres), whole frame pixels: x0, y0, x1, y1, ... */
  points: Int32Array;
  /** Half side of each averaging box, pixels (box = [c - half, c + half) on both axes). */
  half: number;
  /** Spacing of the sample points, frame pixels. */
  unit: number;
  /** RMS of `cells`: the face's contrast, which the residual is measured against. */
  contrast: number;
}

export interface ShiftEstimate {
  /** Shift of the face since the anchor, frame pixels. */
  dx: number;
  dy: number;
  /**
   * RMS grey difference left at the best whole-pixel shift (means removed), as a fraction of the
   * anchor's contrast: near 0 for a face that only moved, about 0.1 for a 1° turn in the image
   * plane or a 2% change of size, 0.5 and more for another face (test/face/shift.test.ts).
   */
  residual: number;
  /** The best shift lies on the search border: the face may have moved further than searched. */
  atEdge: boolean;
}

/** Sample points across the inner face. */
export const SHIFT_CELLS = 24;
/** Search radius in sample spacings (about 18 frame pixels for a face 200 px wide). */
export const SHIFT_SEARCH = 3;

/** Bounding box of landmarks 17-67 (brows to mouth), frame pixels. */
export function innerFaceBox(lm: ArrayLike<number>): { x: number; y: number; width: number; height: number } {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let i = 17; i < 68 && 2 * i + 1 < lm.length; i++) {
    const x = lm[2 * i] as number;
    const y = lm[2 * i + 1] as number;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}

/**
 * Grey integral image of the frame rectangle [x0, x1) x [y0, y1), clamped to the frame (pixels
 * outside repeat the nearest edge pixel), with a lookup of box sums in frame coordinates.
 */
class GreyIntegral {
  private readonly sums: Float64Array;
  private readonly iw: number;

  constructor(
    frame: FrameData,
    private readonly x0: number,
    private readonly y0: number,
    x1: number,
    y1: number,
  ) {
    const { width: w, height: h, data } = frame;
    this.iw = x1 - x0 + 1;
    const ih = y1 - y0 + 1;
    this.sums = new Float64Array(this.iw * ih);
    const grey = new Float64Array(this.iw - 1);
    for (let r = 1; r < ih; r++) {
      const y = Math.min(h - 1, Math.max(0, y0 + r - 1));
      for (let c = 0; c < grey.length; c++) {
        const x = Math.min(w - 1, Math.max(0, x0 + c));
        const s = (y * w + x) * 3;
        grey[c] =
          0.299 * (data[s] as number) + 0.587 * (data[s + 1] as number) + 0.114 * (data[s + 2] as number);
      }
      let run = 0;
      const row = r * this.iw;
      for (let c = 1; c < this.iw; c++) {
        run += grey[c - 1] as number;
        this.sums[row + c] = (this.sums[row - this.iw + c] as number) + run;
      }
    }
  }

  /** Sum over [xa, xb) x [ya, yb), frame coordinates inside the rectangle. */
  box(xa: number, ya: number, xb: number, yb: number): number {
    const a = (ya - this.y0) * this.iw;
    const b = (yb - this.y0) * this.iw;
    const l = xa - this.x0;
    const r = xb - this.x0;
    return (
      (this.sums[b + r] as number) -
      (this.sums[a + r] as number) -
      (this.sums[b + l] as number) +
      (this.sums[a + l] as number)
    );
  }
}

/** Box averages at `points` moved by (dx, dy), means removed. */
function sampleAt(
  img: GreyIntegral,
  points: Int32Array,
  half: number,
  dx: number,
  dy: number,
  out: Float32Array,
): void {
  const area = 4 * half * half;
  let m = 0;
  for (let k = 0; k < out.length; k++) {
    const x = (points[2 * k] as number) + dx;
    const y = (points[2 * k + 1] as number) + dy;
    const v = img.box(x - half, y - half, x + half, y + half) / area;
    out[k] = v;
    m += v;
  }
  m /= out.length || 1;
  for (let k = 0; k < out.length; k++) out[k] = (out[k] as number) - m;
}

function sampleRect(points: Int32Array, half: number, reach: number): [number, number, number, number] {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let k = 0; k + 1 < points.length; k += 2) {
    x0 = Math.min(x0, points[k] as number);
    x1 = Math.max(x1, points[k] as number);
    y0 = Math.min(y0, points[k + 1] as number);
    y1 = Math.max(y1, points[k + 1] as number);
  }
  return [x0 - half - reach, y0 - half - reach, x1 + half + reach, y1 + half + reach];
}

/** Samples the inner face of `landmarks` in `frame`: the reference later frames are matched to. */
export function shiftAnchor(
  frame: FrameData,
  landmarks: ArrayLike<number>,
  across = SHIFT_CELLS,
): ShiftAnchor {
  const b = innerFaceBox(landmarks);
  const unit = Math.max(1, b.width / across);
  const cols = Math.max(4, Math.round(b.width / unit));
  const rows = Math.max(4, Math.round(b.height / unit));
  const points = new Int32Array(2 * cols * rows);
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      points[2 * (j * cols + i)] = Math.round(b.x + (i + 0.5) * unit);
      points[2 * (j * cols + i) + 1] = Math.round(b.y + (j + 0.5) * unit);
    }
  }
  const half = Math.max(1, Math.round(unit / 2));
  const [x0, y0, x1, y1] = sampleRect(points, half, 0);
  const cells = new Float32Array(cols * rows);
  sampleAt(new GreyIntegral(frame, x0, y0, x1, y1), points, half, 0, 0, cells);
  let ss = 0;
  for (const v of cells) ss += v * v;
  return { cells, points, half, unit, contrast: Math.sqrt(ss / cells.length) };
}

/** Vertex of the parabola through (-1, a), (0, b), (1, c), clamped to half a step. */
function parabola(a: number, b: number, c: number): number {
  const den = a - 2 * b + c;
  if (!(den > 0)) return 0;
  return Math.max(-0.5, Math.min(0.5, (a - c) / (2 * den)));
}

/**
 * Finds `anchor`'s inner face in `frame` within `search` sample spacings of where it was: a coarse
 * search in steps of half a spacing, then every whole pixel around the best step, then a parabola
 * through the neighbouring costs on each axis.
 */
export function estimateShift(anchor: ShiftAnchor, frame: FrameData, search = SHIFT_SEARCH): ShiftEstimate {
  const { points, half, cells } = anchor;
  const step = Math.max(1, Math.round(anchor.unit));
  const reach = Math.max(step, Math.ceil((search * anchor.unit) / step) * step);
  const [x0, y0, x1, y1] = sampleRect(points, half, reach + step);
  const img = new GreyIntegral(frame, x0, y0, x1, y1);
  const moved = new Float32Array(cells.length);
  const seen = new Map<number, number>();
  const span = 2 * (reach + step) + 1;
  const cost = (dx: number, dy: number): number => {
    const key = (dy + reach + step) * span + dx + reach + step;
    const known = seen.get(key);
    if (known !== undefined) return known;
    sampleAt(img, points, half, dx, dy, moved);
    let ss = 0;
    for (let k = 0; k < moved.length; k++) {
      const d = (moved[k] as number) - (cells[k] as number);
      ss += d * d;
    }
    seen.set(key, ss);
    return ss;
  };
  let bx = 0;
  let by = 0;
  let best = cost(0, 0);
  for (let dy = -reach; dy <= reach; dy += step) {
    for (let dx = -reach; dx <= reach; dx += step) {
      const c = cost(dx, dy);
      if (c < best) [best, bx, by] = [c, dx, dy];
    }
  }
  const cx = bx;
  const cy = by;
  for (let dy = cy - step + 1; dy < cy + step; dy++) {
    for (let dx = cx - step + 1; dx < cx + step; dx++) {
      const c = cost(dx, dy);
      if (c < best) [best, bx, by] = [c, dx, dy];
    }
  }
  const limit = reach + step - 1;
  const atEdge = Math.abs(bx) >= limit || Math.abs(by) >= limit;
  const fx = atEdge ? 0 : parabola(cost(bx - 1, by), best, cost(bx + 1, by));
  const fy = atEdge ? 0 : parabola(cost(bx, by - 1), best, cost(bx, by + 1));
  return {
    dx: bx + fx,
    dy: by + fy,
    residual: Math.sqrt(best / cells.length) / Math.max(1, anchor.contrast),
    atEdge: atEdge || Math.abs(bx) >= reach || Math.abs(by) >= reach,
  };
}

/** Landmarks moved by (dx, dy). */
export function shiftLandmarks(lm: Float32Array, dx: number, dy: number): Float32Array {
  const out = new Float32Array(lm.length);
  for (let i = 0; i + 1 < lm.length; i += 2) {
    out[i] = (lm[i] as number) + dx;
    out[i + 1] = (lm[i + 1] as number) + dy;
  }
  return out;
}
