/**
 * Active liveness, pure: cues from 68 landmarks of a synthetic 3D face projected by a camera, the
 * per-session check, and the gate between the recognizer and the punch. No tensors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIVENESS,
  type FaceDecision,
  type GateFrame,
  LivenessCheck,
  type LivenessConfig,
  LivenessGate,
  livenessCues,
  resolveLivenessConfig,
  stricterLevel,
} from '../../face/liveness.ts';
import { issue } from '../../face/quality.ts';
import type { Decision, MatchVerdict } from '../../face/recognizer.ts';

type P3 = [number, number, number];

/**
 * A rough 3D face in interocular units (eye centres at x = +-0.5, y = 0; mouth centre at y = 1;
 * nose tip 0.5 in front of the eyes). `open` scales the eyelid gap (1 open, 0 closed).
 */
function face3d(open = 1): P3[] {
  const p: P3[] = [];
  for (let i = 0; i <= 16; i++) {
    const a = Math.PI * (i / 16);
    p.push([-0.95 * Math.cos(a), -0.1 + 1.4 * Math.sin(a / 2) ** 2, -0.6 * Math.abs(Math.cos(a))]);
  }
  for (let i = 0; i < 10; i++) p.push([-0.8 + (i < 5 ? i : i + 1) * (1.6 / 10), -0.35, 0.05]);
  for (let i = 0; i < 4; i++) p.push([0, -0.1 + 0.22 * i, 0.1 + 0.13 * i]); // 27-30: bridge to tip (z 0.49)
  for (let i = 0; i < 5; i++) p.push([-0.25 + 0.125 * i, 0.65, 0.3]); // 31-35
  const g = 0.07 * open;
  // iBUG order for either eye: image-left corner, upper lid (two), image-right corner, lower lid (two).
  const eye = (cx: number): P3[] =>
    [
      [cx - 0.25, 0],
      [cx - 0.1, -g],
      [cx + 0.1, -g],
      [cx + 0.25, 0],
      [cx + 0.1, g],
      [cx - 0.1, g],
    ].map(([x, y]) => [x as number, y as number, 0]);
  p.push(...eye(-0.5), ...eye(0.5)); // 36-41, 42-47
  for (let i = 0; i < 12; i++) {
    const a = (2 * Math.PI * i) / 12;
    p.push([-0.45 * Math.cos(a), 1 - 0.15 * Math.sin(a), 0.2]); // 48-59
  }
  for (let i = 0; i < 8; i++) {
    const a = (2 * Math.PI * i) / 8;
    p.push([-0.3 * Math.cos(a), 1 - 0.05 * Math.sin(a), 0.22]); // 60-67
  }
  return p;
}

interface Camera {
  yawDeg?: number;
  pitchDeg?: number;
  rollDeg?: number;
  scale?: number;
  x?: number;
  y?: number;
  open?: number;
}

/** Orthographic camera: yaw (positive: the person turns to their left), pitch, roll, scale, shift. */
function landmarks(c: Camera = {}): Float32Array {
  const yaw = ((c.yawDeg ?? 0) * Math.PI) / 180;
  const pitch = ((c.pitchDeg ?? 0) * Math.PI) / 180;
  const roll = ((c.rollDeg ?? 0) * Math.PI) / 180;
  const s = c.scale ?? 100;
  const out = new Float32Array(136);
  face3d(c.open ?? 1).forEach(([x, y, z], i) => {
    const x1 = x * Math.cos(yaw) + z * Math.sin(yaw);
    const z1 = -x * Math.sin(yaw) + z * Math.cos(yaw);
    const y2 = y * Math.cos(pitch) - z1 * Math.sin(pitch);
    const xr = x1 * Math.cos(roll) - y2 * Math.sin(roll);
    const yr = x1 * Math.sin(roll) + y2 * Math.cos(roll);
    out[2 * i] = (c.x ?? 320) + s * xr;
    out[2 * i + 1] = (c.y ?? 200) + s * yr;
  });
  return out;
}

function affine(lm: Float32Array, m: [number, number, number, number, number, number]): Float32Array {
  const [a, b, c, d, e, f] = m;
  const out = new Float32Array(lm.length);
  for (let i = 0; i < lm.length; i += 2) {
    const x = lm[i] as number;
    const y = lm[i + 1] as number;
    out[i] = a * x + b * y + e;
    out[i + 1] = c * x + d * y + f;
  }
  return out;
}

function noisy(lm: Float32Array, amp: number, rnd: () => number): Float32Array {
  return lm.map((v) => v + (rnd() * 2 - 1) * amp);
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const cfg = (over: Partial<LivenessConfig> = {}): LivenessConfig =>
  resolveLivenessConfig({ level: 'active', ...over });

describe('liveness cues', () => {
  it('frontal face: no parallax, eyelid gap in eye-to-mouth units', () => {
    const c = livenessCues(landmarks());
    expect(c?.parallax).toBeCloseTo(0, 6);
    expect(c?.openness).toBeCloseTo(0.14, 6);
    expect(livenessCues(landmarks({ open: 0.2 }))?.openness).toBeCloseTo(0.028, 6);
    expect(livenessCues(new Float32Array(10))).toBeUndefined();
  });

  it('are unchanged by any affine map of the picture (a flat photo moved, rotated, zoomed, sheared)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.double({ min: 0.3, max: 3, noNaN: true }),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        fc.double({ min: -0.6, max: 0.6, noNaN: true }),
        fc.double({ min: -500, max: 500, noNaN: true }),
        fc.double({ min: -30, max: 30, noNaN: true }),
        (rot, scale, aspect, shear, shift, yawDeg) => {
          const lm = landmarks({ yawDeg, open: 0.8 });
          const [c, s] = [Math.cos(rot) * scale, Math.sin(rot) * scale];
          // rotation-scale * (aspect, shear)
          const m: [number, number, number, number, number, number] = [
            c * aspect,
            c * shear - s,
            s * aspect,
            s * shear + c,
            shift,
            -shift / 2,
          ];
          const a = livenessCues(lm);
          const b = livenessCues(affine(lm, m));
          expect(b?.parallax).toBeCloseTo(a?.parallax as number, 3);
          expect(b?.openness).toBeCloseTo(a?.openness as number, 3);
        },
      ),
    );
  });

  it('a real head turn moves the nose parallax: ~0.07 at 10 degrees, ~0.14 at 20 (threshold 0.12)', () => {
    const p = (yawDeg: number) => livenessCues(landmarks({ yawDeg }))?.parallax as number;
    expect(p(10)).toBeGreaterThan(0.05);
    expect(p(10)).toBeLessThan(DEFAULT_LIVENESS.turn.minParallax);
    expect(p(20)).toBeGreaterThan(DEFAULT_LIVENESS.turn.minParallax);
    expect(p(-20)).toBeLessThan(-DEFAULT_LIVENESS.turn.minParallax);
    // Roll and scale do not matter; pitch hardly.
    expect(livenessCues(landmarks({ yawDeg: 20, rollDeg: 15, scale: 40 }))?.parallax).toBeCloseTo(p(20), 4);
  });
});

function feed(check: LivenessCheck, frames: Camera[], dtMs = 100, noise = 0, seed = 1) {
  const r = rng(seed);
  frames.forEach((c, i) => {
    const lm = noise > 0 ? noisy(landmarks(c), noise, r) : landmarks(c);
    const cues = livenessCues(lm);
    if (cues) check.observe(i * dtMs, cues);
  });
  return check.evidence;
}

const turn = (to: number, n = 6): Camera[] => [
  ...Array.from({ length: 4 }, () => ({})),
  ...Array.from({ length: n }, (_, i) => ({ yawDeg: (to * (i + 1)) / n })),
  ...Array.from({ length: 3 }, () => ({ yawDeg: to })),
];
const blink = (closedFrames = 2, closed = 0.15): Camera[] => [
  ...Array.from({ length: 6 }, () => ({})),
  ...Array.from({ length: closedFrames }, () => ({ open: closed })),
  ...Array.from({ length: 3 }, () => ({})),
];

describe('liveness check (one session)', () => {
  it('a head turn passes, and its direction is the person’s own', () => {
    expect(feed(new LivenessCheck(cfg()), turn(25))).toMatchObject({ kind: 'passed', method: 'turn-left' });
    expect(feed(new LivenessCheck(cfg()), turn(-25))).toMatchObject({ kind: 'passed', method: 'turn-right' });
    expect(feed(new LivenessCheck(cfg({ mirrored: true })), turn(25))).toMatchObject({
      method: 'turn-right',
    });
    // Too small a turn is not one.
    expect(feed(new LivenessCheck(cfg()), turn(8))).toEqual({ kind: 'none' });
  });

  it('a blink passes without a prompt; a long closure and a prompt do not count it', () => {
    expect(feed(new LivenessCheck(cfg()), blink())).toMatchObject({ kind: 'passed', method: 'blink' });
    expect(feed(new LivenessCheck(cfg()), blink(1))).toMatchObject({ kind: 'passed', method: 'blink' });
    expect(feed(new LivenessCheck(cfg()), blink(10))).toEqual({ kind: 'none' }); // 1 s closed
    expect(feed(new LivenessCheck(cfg({ level: 'strict' }), 'left'), blink())).toEqual({ kind: 'none' });
    expect(feed(new LivenessCheck(cfg()), blink(2, 0.85))).toEqual({ kind: 'none' }); // a squint
  });

  it('strict: only the prompted direction passes; the other way first fails', () => {
    const strict = cfg({ level: 'strict' });
    expect(feed(new LivenessCheck(strict, 'left'), turn(25))).toMatchObject({
      kind: 'passed',
      method: 'turn-left',
    });
    expect(feed(new LivenessCheck(strict, 'left'), turn(-25))).toMatchObject({
      kind: 'failed',
      reason: 'wrong-direction',
    });
  });

  it('a still face with landmark jitter never passes (2% of the eye distance, any seed)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.double({ min: -15, max: 15, noNaN: true }),
        (seed, yawDeg) => {
          const still = Array.from({ length: 60 }, () => ({ yawDeg, x: 300, scale: 80 }));
          expect(feed(new LivenessCheck(cfg()), still, 100, 0.02 * 80, seed)).toEqual({ kind: 'none' });
        },
      ),
      { numRuns: 50 },
    );
  });
});

// ---- the gate ----

const match = (personId = 'nip-1'): MatchVerdict => ({ kind: 'match', personId, distance: 0.3, gap: 0.2 });
const recognized = (ts: number, personId = 'nip-1'): Decision => ({
  kind: 'recognized',
  personId,
  distance: 0.3,
  frames: 3,
  ts,
});
const cooldown = (personId = 'nip-1'): Decision => ({ kind: 'cooldown', personId, remainingMs: 50_000 });

/** Frames of one person: the recognizer says 'recognized' on frame `at`, cooldown after. */
function personFrames(
  cams: Camera[],
  opts: { at?: number; personId?: string; dt?: number; matchIf?: (c: Camera) => boolean } = {},
): GateFrame[] {
  const at = opts.at ?? 2;
  const dt = opts.dt ?? 100;
  return cams.map((c, i) => {
    const frontal = Math.abs(c.yawDeg ?? 0) < 15;
    const matches = (opts.matchIf ?? (() => frontal))(c);
    const decision: Decision = !matches
      ? { kind: 'hint', issue: issue('NOT_FRONTAL', 0.8, 0.7) }
      : i === at
        ? recognized(i * dt, opts.personId)
        : i > at
          ? cooldown(opts.personId)
          : { kind: 'verifying', personId: opts.personId ?? 'nip-1', frames: i + 1, needed: 3 };
    return {
      ts: i * dt,
      landmarks: landmarks(c),
      detected: true,
      ...(matches ? { verdict: match(opts.personId) } : { issue: issue('NOT_FRONTAL', 0.8, 0.7) }),
      decision,
    };
  });
}

function run(gate: LivenessGate, frames: GateFrame[]): FaceDecision[] {
  return frames.map((f) => gate.step(f));
}

const punches = (ds: FaceDecision[]) => ds.filter((d) => d.kind === 'recognized');

describe('liveness gate', () => {
  it('off: recognitions pass through, reported as not checked', () => {
    const g = new LivenessGate({ level: 'off' });
    const ds = run(g, personFrames(Array.from({ length: 5 }, () => ({}))));
    expect(punches(ds)).toEqual([{ ...recognized(200), liveness: { checked: false } }]);
  });

  it('active: a still face is held with a prompt, then refused after the window; its cooldown is lifted', () => {
    const forgotten: string[] = [];
    const g = new LivenessGate({ level: 'active', windowMs: 1000 }, (id) => forgotten.push(id));
    const ds = run(g, personFrames(Array.from({ length: 20 }, () => ({}))));
    expect(punches(ds)).toEqual([]);
    expect(ds[2]).toMatchObject({ kind: 'liveness', personId: 'nip-1', prompt: { code: 'BLINK_OR_TURN' } });
    expect(ds.find((d) => d.kind === 'liveness-failed')).toMatchObject({
      reason: 'timeout',
      message: 'Verifikasi gagal, coba lagi / Liveness check failed, try again',
    });
    expect(forgotten).toEqual(['nip-1']);
  });

  it('active: a blink after the first match, then a matching frame, is a punch', () => {
    const g = new LivenessGate({ level: 'active' });
    const ds = run(g, personFrames([...Array.from({ length: 4 }, () => ({})), ...blink()]));
    const p = punches(ds);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({
      personId: 'nip-1',
      liveness: { checked: true, passed: true, method: 'blink' },
    });
  });

  it('active: turning away and back is a punch (frames beyond the pose gate keep the session)', () => {
    const g = new LivenessGate({ level: 'active' });
    const cams = [...turn(30), ...Array.from({ length: 4 }, () => ({}))];
    const p = punches(run(g, personFrames(cams)));
    expect(p).toHaveLength(1);
    expect(p[0]?.kind === 'recognized' && p[0].liveness.method).toBe('turn-left');
  });

  it('strict: the prompt is random; the prompted turn passes, the other way fails', () => {
    const left = new LivenessGate({ level: 'strict' }, undefined, () => 0.2);
    const cams = [...turn(30), ...Array.from({ length: 4 }, () => ({}))];
    const ds = run(left, personFrames(cams));
    expect(ds[2]).toMatchObject({
      kind: 'liveness',
      prompt: { code: 'TURN_LEFT', message: 'Tengok ke kiri, lalu kembali / Turn your head left, then back' },
    });
    expect(punches(ds)[0]).toMatchObject({ liveness: { method: 'turn-left' } });

    const right = new LivenessGate({ level: 'strict' }, undefined, () => 0.7);
    const wrong = run(right, personFrames(cams));
    expect(punches(wrong)).toEqual([]);
    expect(wrong.find((d) => d.kind === 'liveness-failed')).toMatchObject({ reason: 'wrong-direction' });
  });

  it('a cue before the person first matched does not count (a live face, then a photo)', () => {
    const g = new LivenessGate({ level: 'active', windowMs: 800 });
    // Frames 0-10: a blink with no match (say, the attacker's own face), then the same box matches.
    const before = personFrames(blink(), { matchIf: () => false }).map((f) => ({ ...f, issue: undefined }));
    const after = personFrames(
      Array.from({ length: 15 }, () => ({})),
      { at: 2 },
    ).map((f) => ({
      ...f,
      ts: f.ts + 1100,
    }));
    const ds = run(g, [...before, ...after]);
    expect(punches(ds)).toEqual([]);
    expect(ds.some((d) => d.kind === 'liveness-failed')).toBe(true);
  });

  it('the session ends on a second face, a jump of the face box, another person, or the face gone', () => {
    const base = () => personFrames([...Array.from({ length: 5 }, () => ({})), ...blink()]);
    const cases: Array<[string, (fs: GateFrame[]) => GateFrame[], string]> = [
      [
        'two faces',
        (fs) =>
          fs.map((f, i) =>
            i === 4 ? { ...f, issue: issue('MULTIPLE_FACES', 1, 0.6), verdict: undefined } : f,
          ),
        'lost',
      ],
      [
        'box jump',
        (fs) => fs.map((f, i) => (i === 4 ? { ...f, landmarks: landmarks({ x: 520 }) } : f)),
        'lost',
      ],
      [
        'other person',
        (fs) => fs.map((f, i) => (i === 4 ? { ...f, verdict: match('nip-2') } : f)),
        'other-person',
      ],
      [
        'face gone',
        (fs) =>
          fs.map((f, i) =>
            i === 4
              ? { ts: f.ts, issue: issue('NO_FACE'), decision: { kind: 'idle' } as Decision }
              : i > 4
                ? { ...f, ts: f.ts + 2000 }
                : f,
          ),
        'lost',
      ],
    ];
    for (const [name, edit, reason] of cases) {
      const forgotten: string[] = [];
      const ds = run(new LivenessGate({ level: 'active' }, (id) => forgotten.push(id)), edit(base()));
      expect(
        ds.find((d) => d.kind === 'liveness-failed'),
        name,
      ).toMatchObject({ reason });
      expect(forgotten, name).toEqual(['nip-1']);
      // The blink came after the break: the old recognition is gone, no punch without a new one.
      expect(punches(ds), name).toEqual([]);
    }
  });

  it('landmarks from tracked frames (no detector run) give no evidence', () => {
    const g = new LivenessGate({ level: 'active' });
    const fs = personFrames([...Array.from({ length: 4 }, () => ({})), ...blink()]).map((f) => ({
      ...f,
      detected: false,
    }));
    expect(punches(run(g, fs))).toEqual([]);
  });

  it('the backend can raise the level above the local floor, never lower it', () => {
    expect(stricterLevel('active', 'off')).toBe('active');
    expect(stricterLevel('off', 'strict')).toBe('strict');
    expect(stricterLevel('strict', 'active')).toBe('strict');
  });
});
