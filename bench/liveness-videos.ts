/**
 * Presentation-attack videos made from one still picture with ffmpeg (for bench/liveness.bench.ts
 * and the liveness tests): the picture held still, moved by hand (translation, rotation, zoom), or
 * tilted (a perspective warp: the photo or tablet turned about its vertical, then its horizontal
 * axis). Each is what a camera sees of a flat picture; none of them is a live face.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FaceEngine } from '../face/engine.ts';
import { VideoFileSource } from '../face/frames/index.ts';
import { type GateFrame, type LivenessConfig, LivenessGate, type LivenessLevel } from '../face/liveness.ts';
import type { Decision } from '../face/recognizer.ts';

export type AttackMotion = 'still' | 'moved' | 'tilted';
export const ATTACK_MOTIONS: readonly AttackMotion[] = ['still', 'moved', 'tilted'];

const run = promisify(execFile);

export interface AttackVideoOptions {
  seconds?: number;
  fps?: number;
  width?: number;
  height?: number;
}

/** Filter chain placing the picture in a width x height frame (never enlarged) and moving it. */
export function attackFilter(motion: AttackMotion, w = 640, h = 480, fps = 10): string {
  const scale = `scale='min(${w},iw)':'min(${h},ih)':force_original_aspect_ratio=decrease`;
  const pad = `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=gray,setsar=1`;
  const fit = `${scale},${pad}`;
  if (motion === 'still') return `${fit},fps=${fps},format=yuv420p`;
  if (motion === 'moved') {
    // Held in a hand: +-11 degrees of rotation, +-8% zoom, +-60/40 px of drift, at different periods.
    const pw = w + 160;
    const ph = h + 120;
    return [
      fit,
      `pad=${pw}:${ph}:(ow-iw)/2:(oh-ih)/2:color=gray`,
      `rotate='0.2*sin(2*PI*t/1.7)':fillcolor=gray`,
      `scale=w='2*trunc(${pw}*(1.08+0.08*sin(2*PI*t/2.3))/2)':h=-2:eval=frame`,
      `crop=${w}:${h}:x='(in_w-out_w)/2+60*sin(2*PI*t/1.3)':y='(in_h-out_h)/2+40*cos(2*PI*t/1.9)'`,
      `fps=${fps}`,
      'format=yuv420p',
    ].join(',');
  }
  // Tilted: the picture turned about its vertical axis for the first half (one edge recedes: it
  // shortens and moves in), then about its horizontal axis; up to 15% keystone on each side.
  const n = Math.max(2, Math.round(fps * 1.5));
  const k = `0.3*sin(2*PI*in/${n})`;
  const yaw = `lt(in,${n})`;
  const a = `max(${k},0)`;
  const b = `max(-(${k}),0)`;
  const e = (yawExpr: string, pitchExpr: string) => `'if(${yaw},${yawExpr},${pitchExpr})'`;
  const coords = [
    `x0=${e(`W*${a}*0.5`, `W*${a}*0.5`)}`,
    `y0=${e(`H*${a}*0.5`, `H*${a}*0.5`)}`,
    `x1=${e(`W*(1-${b}*0.5)`, `W*(1-${a}*0.5)`)}`,
    `y1=${e(`H*${b}*0.5`, `H*${a}*0.5`)}`,
    `x2=${e(`W*${a}*0.5`, `W*${b}*0.5`)}`,
    `y2=${e(`H*(1-${a}*0.5)`, `H*(1-${b}*0.5)`)}`,
    `x3=${e(`W*(1-${b}*0.5)`, `W*(1-${b}*0.5)`)}`,
    `y3=${e(`H*(1-${b}*0.5)`, `H*(1-${b}*0.5)`)}`,
  ].join(':');
  return `${scale},fps=${fps},perspective=${coords}:sense=destination:eval=frame,${pad},format=yuv420p`;
}

/** Encodes `image` into an H.264 video with this motion. */
export async function encodeAttackVideo(
  image: string,
  out: string,
  motion: AttackMotion,
  opts: AttackVideoOptions = {},
): Promise<void> {
  const fps = opts.fps ?? 10;
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-loop',
    '1',
    '-framerate',
    String(fps),
    '-t',
    String(opts.seconds ?? 3),
    '-i',
    image,
    '-vf',
    attackFilter(motion, opts.width ?? 640, opts.height ?? 480, fps),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '18',
    out,
  ];
  await run('ffmpeg', args, { timeout: 120_000 });
}

export interface AttackRun {
  frames: number;
  /** Frames that passed every quality gate ("matched" in the worst case). */
  matched: number;
  /** Liveness method by which the 'active' gate let a recognition through, if it did. */
  passActive: string | undefined;
  /** Same for 'strict' with the left / right prompt. */
  passStrict: string | undefined;
  /** Largest nose-parallax excursion and deepest eye-openness dip the active gate saw. */
  parallax: number;
  closedRatio: number;
  /** Landmarks of one good frame (for timing the check). */
  sample?: Float32Array;
}

/**
 * Plays a video through the engine and three liveness gates (active; strict prompting left; strict
 * prompting right) with a worst-case recognizer: the face in the video is taken to be an enrolled
 * person, so every frame passing the quality gates matches them and the third such frame is a
 * 'recognized' (again three frames after a failed check, as the kiosk's recognizer would once the
 * cooldown is lifted). A gate "passes" the video if it lets any recognition through.
 */
export async function runAttackVideo(
  engine: FaceEngine,
  video: string,
  livenessConfig: Partial<LivenessConfig> = {},
): Promise<AttackRun> {
  const mk = (level: LivenessLevel, r: number) => ({
    gate: new LivenessGate(
      { ...livenessConfig, level },
      () => undefined,
      () => r,
    ),
    agree: 0,
    passed: undefined as string | undefined,
  });
  const gs = { active: mk('active', 0), left: mk('strict', 0.1), right: mk('strict', 0.9) };
  let frames = 0;
  let matched = 0;
  let sample: Float32Array | undefined;
  engine.resetTracking();
  for await (const item of new VideoFileSource(video)) {
    if (item.kind !== 'frame') throw new Error(`${video}: ${item.message}`);
    frames++;
    const a = await engine.analyze(item);
    if (a.ok) {
      matched++;
      sample ??= a.landmarks;
    }
    for (const g of Object.values(gs)) {
      let decision: Decision;
      if (a.ok) {
        g.agree++;
        decision =
          g.agree === 3
            ? { kind: 'recognized', personId: 'victim', distance: 0.2, frames: 3, ts: item.ts }
            : g.agree > 3
              ? { kind: 'cooldown', personId: 'victim', remainingMs: 60_000 }
              : { kind: 'verifying', personId: 'victim', frames: g.agree, needed: 3 };
      } else decision = a.issue ? { kind: 'hint', issue: a.issue } : { kind: 'idle' };
      const f: GateFrame = {
        ts: item.ts,
        landmarks: a.landmarks,
        detected: a.detected,
        issue: a.issue,
        ...(a.ok ? { verdict: { kind: 'match', personId: 'victim', distance: 0.2, gap: 1 } } : {}),
        decision,
      };
      const d = g.gate.step(f);
      if (d.kind === 'liveness-failed') g.agree = 0;
      if (d.kind === 'recognized') g.passed ??= d.liveness.method ?? '?';
    }
  }
  const strict = [
    ...(gs.left.passed ? [`left:${gs.left.passed}`] : []),
    ...(gs.right.passed ? [`right:${gs.right.passed}`] : []),
  ];
  return {
    frames,
    matched,
    passActive: gs.active.passed,
    passStrict: strict.length ? strict.join(' ') : undefined,
    parallax: gs.active.gate.peak.parallax,
    closedRatio: gs.active.gate.peak.closedRatio,
    ...(sample ? { sample } : {}),
  };
}
