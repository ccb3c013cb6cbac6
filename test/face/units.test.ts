import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alignmentDrift,
  applySimilarity,
  dlibTemplate,
  fitSimilarity,
  iou,
  sourcePoints,
  warpRgb,
} from '../../face/align.ts';
import { detectorSizes, resolveEngineConfig } from '../../face/engine.ts';
import { buildCameraCommands } from '../../face/frames/camera.ts';
import { PpmStreamParser } from '../../face/frames/ppm.ts';
import { buildVideoFileArgs } from '../../face/frames/video-file.ts';
import { Gallery, ModelMismatchError, meanTemplate } from '../../face/gallery.ts';
import {
  checkCrop,
  checkDetections,
  cropStats,
  DEFAULT_QUALITY,
  poseFromLandmarks,
  QUALITY_TEXT,
} from '../../face/quality.ts';
import { DEFAULT_RECOGNIZER, judgeMatch, Recognizer } from '../../face/recognizer.ts';

function ppm(width: number, height: number, fill: number): Buffer {
  return Buffer.concat([
    Buffer.from(`P6\n${width} ${height}\n255\n`),
    Buffer.alloc(width * height * 3, fill),
  ]);
}

describe('PPM stream parser', () => {
  it('splits a stream into pictures however it is chunked, sizes may change', () => {
    const stream = Buffer.concat([ppm(3, 2, 1), ppm(1, 1, 2), ppm(4, 4, 3)]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }), (cuts) => {
        const p = new PpmStreamParser();
        const out: { width: number; height: number; first: number }[] = [];
        let off = 0;
        let i = 0;
        while (off < stream.length) {
          const n = cuts[i++ % cuts.length] as number;
          for (const img of p.push(stream.subarray(off, off + n))) {
            out.push({ width: img.width, height: img.height, first: img.data[0] as number });
            expect(img.data.length).toBe(img.width * img.height * 3);
          }
          off += n;
        }
        expect(out).toEqual([
          { width: 3, height: 2, first: 1 },
          { width: 1, height: 1, first: 2 },
          { width: 4, height: 4, first: 3 },
        ]);
        expect(p.pending).toBe(0);
      }),
    );
  });

  it('accepts header comments and rejects garbage', () => {
    const p = new PpmStreamParser();
    const imgs = p.push(Buffer.concat([Buffer.from('P6 # c\n2 1\n255\n'), Buffer.alloc(6, 9)]));
    expect(imgs).toHaveLength(1);
    expect(() => new PpmStreamParser().push(Buffer.from('GIF89a....'))).toThrow(/P6/);
    expect(() => new PpmStreamParser().push(Buffer.from('P6\n2 2\n65535\n'))).toThrow(/maxval/);
  });
});

describe('ffmpeg command lines', () => {
  it('V4L2 camera: MJPEG input at the asked size and rate, PPM out', () => {
    const c = buildCameraCommands({ kind: 'v4l2', device: '/dev/video2', width: 800, height: 600, fps: 10 });
    expect(c.producer).toBeUndefined();
    const a = c.ffmpeg.args.join(' ');
    expect(c.ffmpeg.cmd).toBe('ffmpeg');
    expect(a).toContain('-f v4l2 -input_format mjpeg -video_size 800x600 -framerate 10 -i /dev/video2');
    expect(a).toMatch(/-f image2pipe -vcodec ppm pipe:1$/);
    expect(a).toContain('-fflags nobuffer');
  });

  it('Pi camera: rpicam-vid MJPEG on stdout piped into ffmpeg', () => {
    const c = buildCameraCommands({ kind: 'rpicam', fps: 12, cameraIndex: 1, rpicamPath: 'libcamera-vid' });
    expect(c.producer?.cmd).toBe('libcamera-vid');
    expect(c.producer?.args.join(' ')).toBe(
      '-t 0 -n --camera 1 --codec mjpeg --width 640 --height 480 --framerate 12 -o -',
    );
    expect(c.ffmpeg.args.join(' ')).toContain('-f mjpeg -i pipe:0');
  });

  it('video file: optional real-time reading, rate and letterbox', () => {
    const a = buildVideoFileArgs('/x.mp4', { realtime: true, fps: 5, width: 320, height: 240 }).join(' ');
    expect(a).toContain('-re -i /x.mp4');
    expect(a).toContain('-vf fps=5,scale=320:240:force_original_aspect_ratio=decrease,pad=320:240');
  });
});

describe('alignment', () => {
  it('fitSimilarity recovers a known rotation + scale + shift', () => {
    const t = { a: 0.8 * Math.cos(0.3), b: 0.8 * Math.sin(0.3), tx: 12, ty: -7 };
    const src = [
      { x: 10, y: 20 },
      { x: 50, y: 25 },
      { x: 30, y: 60 },
      { x: 5, y: 44 },
    ];
    const fit = fitSimilarity(
      src,
      src.map((p) => applySimilarity(t, p)),
    );
    expect(fit.a).toBeCloseTo(t.a, 9);
    expect(fit.b).toBeCloseTo(t.b, 9);
    expect(fit.tx).toBeCloseTo(t.tx, 9);
    expect(fit.ty).toBeCloseTo(t.ty, 9);
  });

  it('landmarks already on the dlib template give the identity transform and zero drift', () => {
    const tpl = dlibTemplate(150, 0.25);
    const lm = new Float32Array(136);
    tpl.points.forEach((p, i) => {
      lm[2 * (i + 17)] = p.x;
      lm[2 * (i + 17) + 1] = p.y;
    });
    const fit = fitSimilarity(sourcePoints(tpl, lm), tpl.points);
    expect(fit.a).toBeCloseTo(1, 6);
    expect(fit.b).toBeCloseTo(0, 6);
    expect(alignmentDrift(tpl, lm, lm)).toBeCloseTo(0, 6);
    const moved = lm.map((v, i) => (i % 2 === 0 ? v + 3 : v));
    // A 3 px shift of the face is a 3 px shift of the crop.
    expect(alignmentDrift(tpl, lm, moved)).toBeCloseTo(3, 3);
  });

  it('warpRgb with the identity copies pixels; outside the source is black', () => {
    const w = 4;
    const src = new Uint8Array(w * w * 3).map((_, i) => i % 251);
    const out = warpRgb(src, w, w, { a: 1, b: 0, tx: 0, ty: 0 }, w);
    expect([...out]).toEqual([...src]);
    const shifted = warpRgb(src, w, w, { a: 1, b: 0, tx: 2, ty: 0 }, w);
    expect(shifted[0]).toBe(0);
    expect(shifted[2 * 3]).toBe(src[0]);
  });

  it('iou', () => {
    expect(iou({ x: 0, y: 0, width: 10, height: 10 }, { x: 0, y: 0, width: 10, height: 10 })).toBe(1);
    expect(iou({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(
      1 / 3,
    );
  });
});

describe('quality gates', () => {
  const q = DEFAULT_QUALITY;
  const face = (x: number, y: number, width: number, score = 0.9) => ({
    x,
    y,
    width,
    height: width * 1.1,
    score,
  });

  it('each failure carries an Indonesian / English message', () => {
    expect(checkDetections([], 640, 480, q)).toEqual({ issue: expect.objectContaining({ code: 'NO_FACE' }) });
    const far = checkDetections([face(300, 200, 50)], 640, 480, q);
    expect('issue' in far && far.issue.message).toBe('Mendekat ke kamera / Move closer');
    const close = checkDetections([face(0, 0, 600)], 640, 480, q);
    expect('issue' in close && close.issue.code).toBe('TOO_CLOSE');
    const edge = checkDetections([face(580, 200, 150)], 640, 480, q);
    expect('issue' in edge && edge.issue.code).toBe('OFF_CENTER');
    for (const t of Object.values(QUALITY_TEXT)) expect(t.id.length && t.en.length).toBeTruthy();
  });

  it('one dominant face: a small bystander is fine, a second similar face is not', () => {
    const ok = checkDetections([face(100, 100, 200), face(500, 50, 60, 0.4)], 640, 480, q);
    expect('face' in ok && !('issue' in ok)).toBe(true);
    const two = checkDetections([face(50, 100, 180), face(350, 100, 170, 0.35)], 640, 480, q);
    expect('issue' in two && two.issue.code).toBe('MULTIPLE_FACES');
    const weak = checkDetections([face(200, 100, 180, 0.4)], 640, 480, q);
    expect('issue' in weak && weak.issue.code).toBe('NO_FACE');
  });

  it('pose from landmarks: frontal template is frontal; a shifted nose is yaw', () => {
    const tpl = dlibTemplate(150, 0.25);
    const lm = new Float32Array(136);
    tpl.points.forEach((p, i) => {
      lm[2 * (i + 17)] = p.x;
      lm[2 * (i + 17) + 1] = p.y;
    });
    // Jaw ends level with the eyes at the template's edges.
    lm[0] = 20;
    lm[1] = 60;
    lm[32] = 130;
    lm[33] = 60;
    const pose = poseFromLandmarks(lm);
    expect(Math.abs(pose.yaw)).toBeLessThan(0.05);
    expect(Math.abs(pose.rollDeg)).toBeLessThan(1);
    expect(pose.pitch).toBeGreaterThan(0.3);
    expect(pose.pitch).toBeLessThan(0.7);
    const turned = Float32Array.from(lm);
    turned[60] = (turned[60] as number) + 50;
    expect(poseFromLandmarks(turned).yaw).toBeGreaterThan(q.maxYaw);
  });

  it('crop statistics: flat grey is blurry, black is dark, a checkerboard is sharp', () => {
    const n = 50;
    const grey = new Uint8Array(n * n * 3).fill(128);
    expect(checkCrop(cropStats(grey, n), q)?.code).toBe('BLURRY');
    expect(checkCrop(cropStats(new Uint8Array(n * n * 3), n), q)?.code).toBe('TOO_DARK');
    expect(checkCrop(cropStats(new Uint8Array(n * n * 3).fill(250), n), q)?.code).toBe('TOO_BRIGHT');
    const board = new Uint8Array(n * n * 3).map((_, i) => {
      const p = Math.floor(i / 3);
      return ((p % n) + Math.floor(p / n)) % 2 ? 200 : 60;
    });
    expect(checkCrop(cropStats(board, n), q)).toBeUndefined();
  });
});

function unit(dim: number, seed: number): Float32Array {
  let s = seed * 9301 + 49297;
  const v = new Float32Array(dim).map(() => {
    s = (s * 9301 + 49297) % 233280;
    return s / 233280 - 0.5;
  });
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

describe('gallery', () => {
  it.each([
    { dim: 8, simd: true },
    { dim: 8, simd: false },
    { dim: 6, simd: true },
  ])(
    'finds the best and the second-best *identity* like a brute-force scan (dim $dim, simd $simd)',
    ({ dim, simd }) => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 1e6 })), {
            minLength: 1,
            maxLength: 40,
          }),
          fc.integer({ min: 1, max: 1e6 }),
          (rows, qseed) => {
            const g = new Gallery('m', dim, 2, simd);
            expect(g.accelerated).toBe(simd && dim % 8 === 0);
            const all = rows.map(([p, seed]) => ({
              personId: `p${p}`,
              modelId: 'm',
              vector: unit(dim, seed),
            }));
            for (const t of all) g.add(t);
            const q = unit(dim, qseed);
            const r = g.search(q, 'm');
            const best = new Map<string, number>();
            for (const t of all) {
              const d = Math.hypot(...t.vector.map((x, i) => x - (q[i] as number)));
              best.set(t.personId, Math.min(best.get(t.personId) ?? 9, d));
            }
            const sorted = [...best.entries()].sort((a, b) => a[1] - b[1]);
            expect(r.best?.distance).toBeCloseTo(sorted[0]?.[1] as number, 3);
            const tie = sorted[1] !== undefined && Math.abs(sorted[1][1] - (sorted[0]?.[1] as number)) < 1e-5;
            if (!tie) expect(r.best?.personId).toBe(sorted[0]?.[0]);
            if (sorted[1]) expect(r.second?.distance).toBeCloseTo(sorted[1][1], 3);
            else expect(r.second).toBeUndefined();
            expect(r.scanned).toBe(all.length);
          },
        ),
      );
    },
  );

  it('never compares templates of another model version', () => {
    const g = new Gallery('model-A', 4);
    expect(() => g.add({ personId: 'x', modelId: 'model-B', vector: unit(4, 1) })).toThrow(
      ModelMismatchError,
    );
    expect(g.addAll([{ personId: 'x', modelId: 'model-B', vector: unit(4, 1) }])).toEqual({
      added: 0,
      skipped: 1,
    });
    g.add({ personId: 'x', modelId: 'model-A', vector: unit(4, 1) });
    expect(() => g.search(unit(4, 2), 'model-B')).toThrow(ModelMismatchError);
  });

  it('grows past its initial capacity and removes a person, keeping the others searchable', () => {
    const g = new Gallery('m', 16, 4);
    for (let i = 0; i < 30; i++) g.add({ personId: `p${i % 3}`, modelId: 'm', vector: unit(16, i + 1) });
    expect(g.people).toBe(3);
    expect(g.removePerson('p1')).toBe(10);
    expect(g.size).toBe(20);
    const r = g.search(unit(16, 2), 'm');
    expect(r.best?.personId).not.toBe('p1');
    expect(r.best?.distance).toBeGreaterThan(0);
    expect(g.search(unit(16, 1), 'm').best).toEqual({ personId: 'p0', distance: expect.closeTo(0, 3) });
  });

  it('meanTemplate is unit length', () => {
    const t = meanTemplate('p', 'm', [unit(8, 1), unit(8, 2), unit(8, 3)]);
    expect(Math.hypot(...t.vector)).toBeCloseTo(1, 6);
  });
});

describe('recognizer', () => {
  const cfg = { ...DEFAULT_RECOGNIZER, agreeFrames: 3, cooldownMs: 10_000, unknownFrames: 2 };
  const hit = (personId: string, distance = 0.2, second = 0.6) => ({
    best: { personId, distance },
    second: { personId: 'other', distance: second },
    scanned: 2,
  });

  it('accepts only below the threshold and with a margin over the second identity', () => {
    expect(judgeMatch(hit('a', 0.2, 0.6), cfg).kind).toBe('match');
    expect(judgeMatch(hit('a', 0.5, 0.9), cfg)).toMatchObject({ kind: 'unknown', reason: 'threshold' });
    expect(judgeMatch(hit('a', 0.2, 0.25), cfg)).toMatchObject({ kind: 'unknown', reason: 'margin' });
    expect(judgeMatch({ scanned: 0 }, cfg)).toMatchObject({ kind: 'unknown', reason: 'empty-gallery' });
    expect(judgeMatch({ best: { personId: 'a', distance: 0.1 }, scanned: 1 }, cfg).kind).toBe('match');
  });

  it('needs agreeing consecutive frames, then a cooldown stops a second punch', () => {
    const r = new Recognizer(cfg);
    const m = (ts: number, p = 'a') => r.step({ ts, kind: 'verdict', verdict: judgeMatch(hit(p), cfg) });
    expect(m(0).kind).toBe('verifying');
    expect(m(100).kind).toBe('verifying');
    expect(m(200)).toMatchObject({ kind: 'recognized', personId: 'a', frames: 3 });
    expect(m(300)).toMatchObject({ kind: 'cooldown', personId: 'a' });
    expect(m(9_000).kind).toBe('cooldown');
    // After the cooldown the person can punch again (three fresh frames).
    expect(m(10_300).kind).toBe('verifying');
    expect(m(10_400).kind).toBe('verifying');
    expect(m(10_500).kind).toBe('recognized');
  });

  it('a recognizer that takes over (a model switch) keeps the cooldowns of the one before', () => {
    const before = new Recognizer(cfg);
    const step = (r: Recognizer, ts: number) =>
      r.step({ ts, kind: 'verdict', verdict: judgeMatch(hit('a'), cfg) });
    for (const ts of [0, 100, 200]) step(before, ts);
    const after = new Recognizer(cfg);
    after.adoptCooldowns(before);
    expect(step(after, 1_000)).toMatchObject({ kind: 'cooldown', personId: 'a' });
    const fresh = new Recognizer(cfg);
    expect(step(fresh, 1_000).kind).toBe('verifying');
  });

  it('a different person or an unknown frame breaks the agreement; a bad frame does not', () => {
    const r = new Recognizer(cfg);
    const m = (ts: number, p: string) => r.step({ ts, kind: 'verdict', verdict: judgeMatch(hit(p), cfg) });
    m(0, 'a');
    m(100, 'a');
    expect(m(200, 'b')).toMatchObject({ kind: 'verifying', personId: 'b', frames: 1 });
    m(300, 'b');
    r.step({ ts: 350, kind: 'refused', issue: { code: 'BLURRY', message: 'x' } });
    expect(m(400, 'b').kind).toBe('recognized');
    const r2 = new Recognizer(cfg);
    r2.step({ ts: 0, kind: 'verdict', verdict: judgeMatch(hit('a'), cfg) });
    r2.step({ ts: 100, kind: 'verdict', verdict: judgeMatch(hit('a', 0.9), cfg) });
    expect(r2.step({ ts: 200, kind: 'verdict', verdict: judgeMatch(hit('a'), cfg) })).toMatchObject({
      frames: 1,
    });
  });

  it('a second face breaks the agreement (frames without the detector cannot see it)', () => {
    const r = new Recognizer(cfg);
    const m = (ts: number) => r.step({ ts, kind: 'verdict', verdict: judgeMatch(hit('a'), cfg) });
    m(0);
    m(100);
    expect(r.step({ ts: 200, kind: 'refused', issue: { code: 'MULTIPLE_FACES', message: 'x' } }).kind).toBe(
      'hint',
    );
    expect(m(300)).toMatchObject({ kind: 'verifying', frames: 1 });
    m(400);
    expect(m(500).kind).toBe('recognized');
  });

  it('frames too far apart do not agree', () => {
    const r = new Recognizer(cfg);
    const m = (ts: number) => r.step({ ts, kind: 'verdict', verdict: judgeMatch(hit('a'), cfg) });
    m(0);
    m(100);
    expect(m(cfg.agreeWindowMs + 1)).toMatchObject({ kind: 'verifying', frames: 1 });
  });

  it('an unmatched face is reported unknown, never as the nearest person, and not every frame', () => {
    const r = new Recognizer(cfg);
    const u = (ts: number) => r.step({ ts, kind: 'verdict', verdict: judgeMatch(hit('a', 0.5), cfg) });
    expect(u(0).kind).toBe('idle');
    expect(u(100).kind).toBe('unknown');
    expect(u(200).kind).toBe('idle');
    expect(u(300).kind).toBe('idle');
    expect(u(cfg.unknownCooldownMs + 400).kind).toBe('unknown');
  });
});

describe('engine config', () => {
  it('smaller detector input for a near (tracked) face, cold sizes as fall-back', () => {
    const det = resolveEngineConfig().detector;
    expect(detectorSizes(det)).toEqual([224, 320, 416]);
    expect(detectorSizes(det, 0.5)).toEqual([160, 224, 320, 416]);
    expect(detectorSizes(det, 0.3)[0]).toBe(224);
    expect(detectorSizes(det, 0.05)[0]).toBe(224);
  });

  it('partial config keeps the defaults', () => {
    const c = resolveEngineConfig({ quality: { minFacePx: 100 }, tracking: { enabled: false } });
    expect(c.quality.minFacePx).toBe(100);
    expect(c.quality.maxYaw).toBe(DEFAULT_QUALITY.maxYaw);
    expect(c.tracking).toMatchObject({ enabled: false, maxAgeMs: 1000 });
  });
});
