import { describe, expect, it } from 'vitest';
import type { FrameData } from '../../face/analyzer.ts';
import { estimateShift, innerFaceBox, shiftAnchor, shiftLandmarks } from '../../face/shift.ts';

const W = 640;
const H = 480;

/** A smooth random grey texture (sum of blobs), the same for the same seed. */
function texture(seed: number): Float32Array {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const img = new Float32Array(W * H).fill(100);
  for (let b = 0; b < 400; b++) {
    const cx = rnd() * W;
    const cy = rnd() * H;
    const r = 4 + rnd() * 14;
    const a = (rnd() - 0.5) * 120;
    const x0 = Math.max(0, Math.floor(cx - 3 * r));
    const x1 = Math.min(W - 1, Math.ceil(cx + 3 * r));
    const y0 = Math.max(0, Math.floor(cy - 3 * r));
    const y1 = Math.min(H - 1, Math.ceil(cy + 3 * r));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const d2 = ((x - cx) ** 2 + (y - cy) ** 2) / (r * r);
        img[y * W + x] = (img[y * W + x] as number) + a * Math.exp(-d2);
      }
    }
  }
  return img;
}

/** The texture seen through a camera: moved by (dx, dy), turned by `deg` about (cx, cy), plus `offset`. */
function render(
  img: Float32Array,
  opts: { dx?: number; dy?: number; deg?: number; cx?: number; cy?: number; offset?: number } = {},
): FrameData {
  const { dx = 0, dy = 0, deg = 0, cx = W / 2, cy = H / 2, offset = 0 } = opts;
  const c = Math.cos((-deg * Math.PI) / 180);
  const s = Math.sin((-deg * Math.PI) / 180);
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // Where this output pixel comes from in the source texture.
      const ux = x - dx - cx;
      const uy = y - dy - cy;
      const fx = Math.min(W - 1.001, Math.max(0, cx + c * ux - s * uy));
      const fy = Math.min(H - 1.001, Math.max(0, cy + s * ux + c * uy));
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const ax = fx - x0;
      const ay = fy - y0;
      const p = (yy: number, xx: number) => img[yy * W + xx] as number;
      const v =
        (1 - ay) * ((1 - ax) * p(y0, x0) + ax * p(y0, x0 + 1)) +
        ay * ((1 - ax) * p(y0 + 1, x0) + ax * p(y0 + 1, x0 + 1));
      const g = Math.max(0, Math.min(255, Math.round(v + offset)));
      data.set([g, g, g], (y * W + x) * 3);
    }
  }
  return { data, width: W, height: H };
}

/** 68 points whose inner face (points 17-67) spans 150 x 130 px around (320, 240). */
function landmarks(): Float32Array {
  const lm = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    lm[2 * i] = 245 + ((i * 37) % 151);
    lm[2 * i + 1] = 175 + ((i * 53) % 131);
  }
  return lm;
}

describe('face shift between frames (shift.ts)', () => {
  const tex = texture(7);
  const lm = landmarks();
  const anchor = shiftAnchor(render(tex), lm);

  it('samples the inner face only: landmarks 17-67', () => {
    const b = innerFaceBox(lm);
    expect(b.x).toBeGreaterThanOrEqual(245);
    expect(b.x + b.width).toBeLessThanOrEqual(396);
    expect(anchor.contrast).toBeGreaterThan(5);
  });

  it('finds a whole-pixel move exactly and a sub-pixel move within a quarter pixel, with almost nothing left over', () => {
    for (const [dx, dy, tol] of [
      [3, -2, 0.1],
      [0, 0, 0.05],
      [-7, 5, 0.1],
      [1.5, 0.5, 0.25],
      [-2.3, 4.7, 0.25],
    ] as const) {
      const e = estimateShift(anchor, render(tex, { dx, dy }));
      expect(Math.abs(e.dx - dx), `dx for (${dx}, ${dy})`).toBeLessThan(tol);
      expect(Math.abs(e.dy - dy), `dy for (${dx}, ${dy})`).toBeLessThan(tol);
      expect(e.residual).toBeLessThan(0.1);
      expect(e.atEdge).toBe(false);
    }
  });

  it('ignores a change of brightness', () => {
    const e = estimateShift(anchor, render(tex, { dx: 2, dy: 1, offset: 25 }));
    expect(e.residual).toBeLessThan(0.1);
    expect(Math.abs(e.dx - 2)).toBeLessThan(0.1);
  });

  it('leaves a large residual for a turned face and for another face', () => {
    const turned = estimateShift(anchor, render(tex, { deg: 6, cx: 320, cy: 240 }));
    expect(turned.residual).toBeGreaterThan(0.15); // the engine's default limit
    const other = estimateShift(anchor, render(texture(8)));
    expect(other.residual).toBeGreaterThan(0.5);
  });

  it('says when the face may have moved further than it searched', () => {
    const e = estimateShift(anchor, render(tex, { dx: 60, dy: 0 }));
    expect(e.atEdge || e.residual > 0.15).toBe(true);
  });

  it('moves landmarks by the shift', () => {
    const moved = shiftLandmarks(lm, 2.5, -1);
    expect(moved[0]).toBeCloseTo((lm[0] as number) + 2.5, 5);
    expect(moved[135]).toBeCloseTo((lm[135] as number) - 1, 5);
    expect(moved).toHaveLength(136);
  });
});
