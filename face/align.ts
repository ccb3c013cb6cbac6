/**
 * Face alignment: a least-squares similarity transform (rotation, uniform scale, translation)
 * from detected landmarks to a model's template, and an RGB warp done in plain JS (no tensors).
 */

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where a descriptor model expects facial points to land in its square input.
 * `landmarks` names which points of the 68-point scheme are used:
 *  - 'dlib68': points 17..67 (brows, nose, eyes, mouth), dlib's get_face_chip_details.
 *  - 'five': left eye centre, right eye centre, nose tip, left and right mouth corner (ArcFace).
 */
export interface AlignmentTemplate {
  readonly id: string;
  readonly size: number;
  readonly landmarks: 'dlib68' | 'five';
  /** Target points in output pixels, same order as `sourcePoints` returns them. */
  readonly points: readonly Point[];
}

// dlib's mean face shape for points 17..67 (dlib/image_transforms/interpolation.h,
// get_face_chip_details), in a unit square.
const DLIB_MEAN_X = [
  0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004,
  0.490127, 0.490127, 0.490127, 0.490127, 0.36688, 0.426036, 0.490127, 0.554217, 0.613373, 0.121737, 0.187122,
  0.265825, 0.334606, 0.260918, 0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751, 0.719335, 0.254149,
  0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721, 0.490127, 0.423532,
  0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874, 0.553364, 0.490127, 0.42689,
];
const DLIB_MEAN_Y = [
  0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454,
  0.203352, 0.307009, 0.409805, 0.515625, 0.587326, 0.609345, 0.628106, 0.609345, 0.587326, 0.216423,
  0.178758, 0.179852, 0.231733, 0.245099, 0.244077, 0.231733, 0.179852, 0.178758, 0.216423, 0.244077,
  0.245099, 0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805, 0.902192,
  0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746, 0.784792, 0.824182, 0.831803,
  0.824182,
];

/** dlib face chip template (size, padding 0.25 as used to train dlib's ResNet face descriptor). */
export function dlibTemplate(size = 150, padding = 0.25): AlignmentTemplate {
  const points = DLIB_MEAN_X.map((mx, i) => ({
    x: ((padding + mx) / (2 * padding + 1)) * size,
    y: ((padding + (DLIB_MEAN_Y[i] as number)) / (2 * padding + 1)) * size,
  }));
  return { id: `dlib${size}p${padding}`, size, landmarks: 'dlib68', points };
}

/** The ArcFace / InsightFace 5-point template for 112x112 inputs. */
export const ARCFACE_112: AlignmentTemplate = {
  id: 'arcface112',
  size: 112,
  landmarks: 'five',
  points: [
    { x: 38.2946, y: 51.6963 },
    { x: 73.5318, y: 51.5014 },
    { x: 56.0252, y: 71.7366 },
    { x: 41.5493, y: 92.3655 },
    { x: 70.7299, y: 92.2041 },
  ],
};

/** Picks the template's source points out of 68 landmarks given as [x0, y0, x1, y1, ...]. */
export function sourcePoints(template: AlignmentTemplate, lm68: ArrayLike<number>): Point[] {
  const p = (i: number): Point => ({ x: lm68[2 * i] as number, y: lm68[2 * i + 1] as number });
  if (template.landmarks === 'dlib68') {
    const out: Point[] = [];
    for (let i = 17; i < 68; i++) out.push(p(i));
    return out;
  }
  const mean = (from: number, to: number): Point => {
    let x = 0;
    let y = 0;
    for (let i = from; i <= to; i++) {
      x += p(i).x;
      y += p(i).y;
    }
    const n = to - from + 1;
    return { x: x / n, y: y / n };
  };
  // Subject's right eye (image left) first, as in the ArcFace template.
  return [mean(36, 41), mean(42, 47), p(30), p(48), p(54)];
}

/** x' = a*x - b*y + tx, y' = b*x + a*y + ty. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Least-squares similarity transform mapping src onto dst (no reflection). */
export function fitSimilarity(src: readonly Point[], dst: readonly Point[]): Similarity {
  const n = Math.min(src.length, dst.length);
  if (n < 2) throw new Error('fitSimilarity: need at least two points');
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    const s = src[i] as Point;
    const d = dst[i] as Point;
    sx += s.x;
    sy += s.y;
    dx += d.x;
    dy += d.y;
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let num1 = 0;
  let num2 = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const s = src[i] as Point;
    const d = dst[i] as Point;
    const px = s.x - sx;
    const py = s.y - sy;
    const qx = d.x - dx;
    const qy = d.y - dy;
    num1 += px * qx + py * qy;
    num2 += px * qy - py * qx;
    den += px * px + py * py;
  }
  if (den === 0) throw new Error('fitSimilarity: degenerate source points');
  const a = num1 / den;
  const b = num2 / den;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

export function invertSimilarity(t: Similarity): Similarity {
  const k = t.a * t.a + t.b * t.b;
  const a = t.a / k;
  const b = -t.b / k;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

export function applySimilarity(t: Similarity, p: Point): Point {
  return { x: t.a * p.x - t.b * p.y + t.tx, y: t.b * p.x + t.a * p.y + t.ty };
}

/**
 * Warps packed RGB `src` (w x h) into a size x size RGB image through `toDst` (source -> output
 * coordinates). Bilinear sampling; when the face is much larger than the output, several samples
 * per output pixel are averaged (no aliasing). Outside the source: black, like dlib's chips.
 */
export function warpRgb(
  src: Uint8Array,
  width: number,
  height: number,
  toDst: Similarity,
  size: number,
): Uint8Array {
  const inv = invertSimilarity(toDst);
  const out = new Uint8Array(size * size * 3);
  // Source pixels per output pixel.
  const scale = Math.sqrt(inv.a * inv.a + inv.b * inv.b);
  const k = Math.max(1, Math.min(4, Math.round(scale)));
  const inv2 = 1 / (k * k);
  const wMax = width - 1;
  const hMax = height - 1;
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      let r = 0;
      let g = 0;
      let bl = 0;
      for (let sy = 0; sy < k; sy++) {
        const yy = oy + (sy + 0.5) / k - 0.5;
        for (let sx = 0; sx < k; sx++) {
          const xx = ox + (sx + 0.5) / k - 0.5;
          const fx = inv.a * xx - inv.b * yy + inv.tx;
          const fy = inv.b * xx + inv.a * yy + inv.ty;
          if (fx < 0 || fy < 0 || fx > wMax || fy > hMax) continue;
          const x0 = fx | 0;
          const y0 = fy | 0;
          const x1 = x0 < wMax ? x0 + 1 : x0;
          const y1 = y0 < hMax ? y0 + 1 : y0;
          const ax = fx - x0;
          const ay = fy - y0;
          const i00 = (y0 * width + x0) * 3;
          const i01 = (y0 * width + x1) * 3;
          const i10 = (y1 * width + x0) * 3;
          const i11 = (y1 * width + x1) * 3;
          const w00 = (1 - ax) * (1 - ay);
          const w01 = ax * (1 - ay);
          const w10 = (1 - ax) * ay;
          const w11 = ax * ay;
          r +=
            w00 * (src[i00] as number) +
            w01 * (src[i01] as number) +
            w10 * (src[i10] as number) +
            w11 * (src[i11] as number);
          g +=
            w00 * (src[i00 + 1] as number) +
            w01 * (src[i01 + 1] as number) +
            w10 * (src[i10 + 1] as number) +
            w11 * (src[i11 + 1] as number);
          bl +=
            w00 * (src[i00 + 2] as number) +
            w01 * (src[i01 + 2] as number) +
            w10 * (src[i10 + 2] as number) +
            w11 * (src[i11 + 2] as number);
        }
      }
      const o = (oy * size + ox) * 3;
      out[o] = r * inv2 + 0.5;
      out[o + 1] = g * inv2 + 0.5;
      out[o + 2] = bl * inv2 + 0.5;
    }
  }
  return out;
}

/** Aligns a face: fits the template to the landmarks and warps the frame. */
export function alignFace(
  frame: { data: Uint8Array; width: number; height: number },
  lm68: ArrayLike<number>,
  template: AlignmentTemplate,
): { data: Uint8Array; size: number; transform: Similarity } {
  const transform = fitSimilarity(sourcePoints(template, lm68), template.points);
  return {
    data: warpRgb(frame.data, frame.width, frame.height, transform, template.size),
    size: template.size,
    transform,
  };
}

/** Copies a rectangle (clamped to the frame, integer pixels) out of packed RGB. */
export function cropRgb(
  frame: { data: Uint8Array; width: number; height: number },
  box: Box,
): { data: Uint8Array; x: number; y: number; width: number; height: number } {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(frame.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(frame.height, Math.ceil(box.y + box.height));
  const w = Math.max(1, x1 - x0);
  const h = Math.max(1, y1 - y0);
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const from = ((y0 + y) * frame.width + x0) * 3;
    out.set(frame.data.subarray(from, from + w * 3), y * w * 3);
  }
  return { data: out, x: x0, y: y0, width: w, height: h };
}

/** Bounding box of 68 landmarks given as [x0, y0, x1, y1, ...] (at least 1 px wide and high). */
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

export function iou(a: Box, b: Box): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * How far (RMS, in output pixels) a crop aligned with `predicted` landmarks is from the crop the
 * `actual` landmarks would give: both transforms applied to the actual points and compared.
 */
export function alignmentDrift(
  template: AlignmentTemplate,
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
): number {
  const src = sourcePoints(template, actual);
  const tp = fitSimilarity(sourcePoints(template, predicted), template.points);
  const ta = fitSimilarity(src, template.points);
  let s = 0;
  for (const p of src) {
    const a = applySimilarity(tp, p);
    const b = applySimilarity(ta, p);
    s += (a.x - b.x) ** 2 + (a.y - b.y) ** 2;
  }
  return Math.sqrt(s / src.length);
}

/**
 * The chip the crop-quality gates (brightness, sharpness) are measured on, whatever the
 * descriptor's own input: dlib's 150 px chip, where their limits were set (quality.ts).
 */
export const QUALITY_TEMPLATE: AlignmentTemplate = dlibTemplate(150, 0.25);

/**
 * The model-neutral enrollment crop kept for re-deriving templates when a site changes its
 * descriptor model: dlib's mean face with a wide margin (0.75 of the face on each side, which
 * contains the ArcFace 112 region and dlib's 150 px chip) at 256 px, i.e. about 102 px per
 * face-shape unit, more than any shipped model's input resolution (dlib chip 100, ArcFace 64).
 */
export const KEEP_TEMPLATE: AlignmentTemplate = dlibTemplate(256, 0.75);

/** An enrollment crop and its 68 landmarks in crop pixels: enough to align it to any template again. */
export interface KeptFace {
  size: number;
  /** Packed RGB, size x size. */
  data: Uint8Array;
  /** 68 landmarks in crop pixels, [x0, y0, ...]. */
  landmarks: Float32Array;
}

/** Warps the face to KEEP_TEMPLATE and carries its landmarks into the crop. */
export function keepFace(
  frame: { data: Uint8Array; width: number; height: number },
  lm68: ArrayLike<number>,
): KeptFace {
  const a = alignFace(frame, lm68, KEEP_TEMPLATE);
  const landmarks = new Float32Array(lm68.length);
  for (let i = 0; i + 1 < lm68.length; i += 2) {
    const p = applySimilarity(a.transform, { x: lm68[i] as number, y: lm68[i + 1] as number });
    landmarks[i] = p.x;
    landmarks[i + 1] = p.y;
  }
  return { size: a.size, data: a.data, landmarks };
}

/**
 * Output pixels per source pixel when `lm68` is aligned to `template` (the similarity transform's
 * scale): above 1 the crop is enlarged from a face smaller than the template, below 1 reduced.
 */
export function alignmentScale(template: AlignmentTemplate, lm68: ArrayLike<number>): number {
  const t = fitSimilarity(sourcePoints(template, lm68), template.points);
  return Math.hypot(t.a, t.b);
}
