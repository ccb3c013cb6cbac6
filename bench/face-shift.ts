/**
 * How well the tracked-face shift estimate (terminal/face/shift.ts) works on real faces.
 *
 *   npx tsx bench/face-shift.ts [--data ../shared/faces/dev] [--limit 40]
 *
 * For the first picture of each identity (640x480, letterboxed like the kiosk bench) the landmark
 * net gives the anchor; the picture is then moved (whole and sub-pixel steps, bilinear), turned
 * in the image plane and scaled about the face, with +/-3 grey levels of noise, and compared with
 * the anchor. Prints the shift error (frame pixels), the residual (fraction of the face's
 * contrast) for each kind of change, the residual against the next identity's picture (another
 * face), and the time per estimate. The engine keeps a shift when the residual is <= 0.15.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FaceAnalyzer, type FrameData } from '../face/analyzer.ts';
import { decodeImageFile } from '../face/frames/index.ts';
import { estimateShift, innerFaceBox, type ShiftAnchor, shiftAnchor } from '../face/shift.ts';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/faces/dev' },
    limit: { type: 'string', default: '40' },
  },
});

/** The frame turned by `deg` and scaled by `scale` about (cx, cy), then moved by (dx, dy); bilinear, with noise. */
function warp(
  f: FrameData,
  t: { dx?: number; dy?: number; deg?: number; scale?: number; cx: number; cy: number },
  seed0: number,
): FrameData {
  const { width: w, height: h } = f;
  const { dx = 0, dy = 0, deg = 0, scale = 1, cx, cy } = t;
  const c = Math.cos((-deg * Math.PI) / 180) / scale;
  const s = Math.sin((-deg * Math.PI) / 180) / scale;
  const out = new Uint8Array(f.data.length);
  let seed = seed0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const ux = x - dx - cx;
      const uy = y - dy - cy;
      const fx = Math.min(w - 1.001, Math.max(0, cx + c * ux - s * uy));
      const fy = Math.min(h - 1.001, Math.max(0, cy + s * ux + c * uy));
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const ax = fx - x0;
      const ay = fy - y0;
      for (let k = 0; k < 3; k++) {
        const p = (yy: number, xx: number) => f.data[(yy * w + xx) * 3 + k] as number;
        const v =
          (1 - ay) * ((1 - ax) * p(y0, x0) + ax * p(y0, x0 + 1)) +
          ay * ((1 - ax) * p(y0 + 1, x0) + ax * p(y0 + 1, x0 + 1));
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        out[(y * w + x) * 3 + k] = Math.max(0, Math.min(255, Math.round(v + ((seed >> 16) % 7) - 3)));
      }
    }
  }
  return { ...f, data: out };
}

const MOVES: [number, number][] = [
  [1, 1],
  [-3, 2],
  [0.4, -1.3],
  [2.7, 1.2],
  [-4.5, 3.3],
];
const CHANGES: { name: string; deg?: number; scale?: number }[] = [
  { name: 'turn 1 deg', deg: 1 },
  { name: 'turn 2 deg', deg: 2 },
  { name: 'turn 3 deg', deg: 3 },
  { name: 'turn 5 deg', deg: 5 },
  { name: 'size +2%', scale: 1.02 },
  { name: 'size +4%', scale: 1.04 },
  { name: 'size +8%', scale: 1.08 },
];

async function main(): Promise<void> {
  const dir = args.data as string;
  const ids = readdirSync(dir)
    .filter((d) => !d.startsWith('_') && statSync(join(dir, d)).isDirectory())
    .sort()
    .slice(0, Number(args.limit));
  const analyzer = await FaceAnalyzer.create(['locate'], { backend: 'wasm' });
  const errors: number[] = [];
  const moveResidual: number[] = [];
  const other: number[] = [];
  const times: number[] = [];
  const byChange = new Map<string, number[]>();
  let previous: ShiftAnchor | undefined;
  let faces = 0;
  for (const id of ids) {
    const file = readdirSync(join(dir, id))
      .filter((n) => n.endsWith('.jpg'))
      .sort()[0];
    if (!file) continue;
    const f = await decodeImageFile(join(dir, id, file), { width: 640, height: 480, noUpscale: true });
    if (f.kind !== 'frame') continue;
    const loc = await analyzer.locate(f, { inputSizes: [224, 320, 416], scoreThreshold: 0.3, minScore: 0.5 });
    if (!loc.landmarks) continue;
    faces++;
    const anchor = shiftAnchor(f, loc.landmarks);
    const b = innerFaceBox(loc.landmarks);
    const centre = { cx: b.x + b.width / 2, cy: b.y + b.height / 2 };
    for (const [dx, dy] of MOVES) {
      const g = warp(f, { dx, dy, ...centre }, 17 + faces);
      const t0 = performance.now();
      const e = estimateShift(anchor, g);
      times.push(performance.now() - t0);
      errors.push(Math.hypot(e.dx - dx, e.dy - dy));
      moveResidual.push(e.residual);
    }
    for (const c of CHANGES) {
      const e = estimateShift(anchor, warp(f, { ...c, ...centre }, 5 + faces));
      const list = byChange.get(c.name) ?? [];
      list.push(e.residual);
      byChange.set(c.name, list);
    }
    if (previous) other.push(estimateShift(previous, f).residual);
    previous = anchor;
  }
  analyzer.dispose();
  const q = (a: number[], p: number) => {
    const s = [...a].sort((x, y) => x - y);
    return (s[Math.floor((s.length - 1) * p)] ?? Number.NaN).toFixed(3);
  };
  const line = (name: string, a: number[]) =>
    console.log(
      `${name.padEnd(26)} min ${q(a, 0)}  p10 ${q(a, 0.1)}  p50 ${q(a, 0.5)}  p90 ${q(a, 0.9)}  max ${q(a, 1)}  (n=${a.length})`,
    );
  console.log(`${faces} faces from ${dir}`);
  line('shift error, px', errors);
  line('residual, moved', moveResidual);
  for (const [name, a] of byChange) line(`residual, ${name}`, a);
  line('residual, another face', other);
  line('time per estimate, ms', times);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
