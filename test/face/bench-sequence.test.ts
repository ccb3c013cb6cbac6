/**
 * The face benchmark's sequence generator (bench/face-sequence.ts): deterministic for a seed, the
 * motion within its stated bounds and not a plain shift, and the warp exact where it can be.
 */
import { describe, expect, it } from 'vitest';
import {
  boxBlur3,
  DEFAULT_SEQUENCE,
  type FrameMotion,
  makeSequence,
  planSequence,
  renderFrame,
} from '../../bench/face-sequence.ts';
import type { FrameData } from '../../face/analyzer.ts';

const still: FrameMotion = { dx: 0, dy: 0, scale: 1, rotationDeg: 0, blur: false, noiseSeed: 1 };

/** A small frame whose every byte differs from its neighbours' (odd size: the centre is a pixel). */
function pattern(w = 41, h = 31): FrameData {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + ((i / 3) | 0) * 11) % 251;
  return { width: w, height: h, data };
}

const at = (f: FrameData, x: number, y: number, c: number) => f.data[(y * f.width + x) * 3 + c] as number;

describe('planSequence', () => {
  it('gives the same plan for the same seed and key, another for another key or seed', () => {
    const a = planSequence(3, 'alice/4,5,6');
    expect(planSequence(3, 'alice/4,5,6')).toEqual(a);
    expect(planSequence(3, 'alice/5,6,4')).not.toEqual(a);
    expect(planSequence(3, 'alice/4,5,6', { ...DEFAULT_SEQUENCE, seed: 2 })).not.toEqual(a);
  });

  it('shows every photo in turn, each held 4-6 frames, with motion inside the bounds', () => {
    const o = DEFAULT_SEQUENCE;
    for (let s = 0; s < 40; s++) {
      const plan = planSequence(3, `person${s}`);
      const photos = plan.map((p) => p.photo);
      // In order, each photo one contiguous run.
      expect(photos).toEqual([...photos].sort((x, y) => x - y));
      for (const p of [0, 1, 2]) {
        const held = photos.filter((x) => x === p).length;
        expect(held).toBeGreaterThanOrEqual(4);
        expect(held).toBeLessThanOrEqual(6);
      }
      for (const { motion: m } of plan) {
        expect(Math.abs(m.dx)).toBeLessThanOrEqual(o.maxShiftPx);
        expect(Math.abs(m.dy)).toBeLessThanOrEqual(o.maxShiftPx);
        expect(m.scale).toBeGreaterThanOrEqual(0.95);
        expect(m.scale).toBeLessThanOrEqual(1.05);
        expect(Math.abs(m.rotationDeg)).toBeLessThanOrEqual(3);
      }
    }
  });

  it('moves the face between frames by more than a whole-pixel shift: sub-pixel steps, scale, turn, some blur', () => {
    const plan = Array.from({ length: 30 }, (_, s) => planSequence(3, `p${s}`)).flat();
    const steps = plan.slice(1).filter((p, i) => p.photo === (plan[i] as (typeof plan)[number]).photo);
    const prev = (i: number) =>
      (plan[plan.indexOf(steps[i] as (typeof plan)[number]) - 1] as (typeof plan)[number]).motion;
    const d = steps.map((p, i) => ({
      dx: Math.abs(p.motion.dx - prev(i).dx),
      scale: Math.abs(p.motion.scale - prev(i).scale),
      rot: Math.abs(p.motion.rotationDeg - prev(i).rotationDeg),
    }));
    const fractional = d.filter((x) => Math.abs(x.dx - Math.round(x.dx)) > 0.05).length;
    expect(fractional / d.length).toBeGreaterThan(0.5);
    expect(d.filter((x) => x.scale > 0.002).length / d.length).toBeGreaterThan(0.3);
    expect(d.filter((x) => x.rot > 0.2).length / d.length).toBeGreaterThan(0.3);
    const blurred = plan.filter((p) => p.motion.blur).length / plan.length;
    expect(blurred).toBeGreaterThan(0.05);
    expect(blurred).toBeLessThan(0.3);
  });
});

describe('renderFrame', () => {
  it('leaves the picture as it is without motion, blur or noise', () => {
    const f = pattern();
    expect(Buffer.from(renderFrame(f, still, 0)).equals(Buffer.from(f.data))).toBe(true);
  });

  it('moves it by whole pixels exactly, and turns it by 180 degrees about the centre exactly', () => {
    const f = pattern();
    const moved = { ...f, data: renderFrame(f, { ...still, dx: 2, dy: -1 }, 0) };
    const turned = { ...f, data: renderFrame(f, { ...still, rotationDeg: 180 }, 0) };
    for (const [x, y] of [
      [10, 10],
      [20, 5],
      [35, 25],
    ] as const) {
      for (const c of [0, 1, 2]) {
        expect(at(moved, x, y, c)).toBe(at(f, x - 2, y + 1, c));
        expect(at(turned, x, y, c)).toBe(at(f, f.width - 1 - x, f.height - 1 - y, c));
      }
    }
  });

  it('interpolates half a pixel as the mean of the two neighbours', () => {
    const f = pattern();
    const half = { ...f, data: renderFrame(f, { ...still, dx: 0.5 }, 0) };
    const expected = Math.round((at(f, 11, 7, 0) + at(f, 12, 7, 0)) / 2);
    expect(Math.abs(at(half, 12, 7, 0) - expected)).toBeLessThanOrEqual(1);
  });

  it('adds noise of the stated standard deviation, deterministically', () => {
    const flat: FrameData = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 3).fill(128) };
    const a = renderFrame(flat, { ...still, noiseSeed: 7 }, 2.5);
    expect(Buffer.from(renderFrame(flat, { ...still, noiseSeed: 7 }, 2.5)).equals(Buffer.from(a))).toBe(true);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const sd = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
    expect(Math.abs(mean - 128)).toBeLessThan(0.2);
    expect(sd).toBeGreaterThan(2.2);
    expect(sd).toBeLessThan(2.8);
  });

  it('blurs with a 3x3 box', () => {
    const w = 5;
    const src = new Uint8Array(w * w * 3);
    src[(2 * w + 2) * 3] = 90;
    const out = boxBlur3(src, w, w);
    expect(out[(1 * w + 1) * 3]).toBe(10);
    expect(out[(3 * w + 2) * 3]).toBe(10);
    expect(out[(0 * w + 0) * 3]).toBe(0);
    expect(out[(2 * w + 2) * 3 + 1]).toBe(0);
  });
});

describe('makeSequence', () => {
  it('renders the same frames for the same key, each from its planned photo', () => {
    const dark = { ...pattern(), data: pattern().data.map((v) => 40 + (v % 20)) };
    const bright = { ...pattern(), data: pattern().data.map((v) => 200 + (v % 20)) };
    const a = makeSequence([dark, bright], 'k');
    const b = makeSequence([dark, bright], 'k');
    expect(a.frames.length).toBe(a.plan.length);
    expect(a.frames.length).toBeGreaterThanOrEqual(8);
    a.frames.forEach((f, i) => {
      expect(Buffer.from(f.data).equals(Buffer.from((b.frames[i] as FrameData).data))).toBe(true);
      const mean = f.data.reduce((s, v) => s + v, 0) / f.data.length;
      expect(mean > 128 ? 1 : 0).toBe(a.plan[i]?.photo);
    });
    expect(a.plan[0]?.photo).toBe(0);
    expect(a.plan.at(-1)?.photo).toBe(1);
  });
});
