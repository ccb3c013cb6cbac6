/**
 * Liveness on the presentation-attack set: every pad-dev picture played as a video (ffmpeg) through
 * the real frame path, face engine and liveness gate.
 *
 *   npx tsx bench/liveness.bench.ts [--data ../shared/faces/pad-dev] [--seconds 3] [--fps 10]
 *        [--motions still,moved,tilted] [--detect-every N] [--json] [--verbose] [--only attack/001.jpg,…]
 *
 * Worst case for the gate: the face in the picture is taken to be an enrolled person, i.e. every
 * frame that passes the quality gates "matches" them and the recognizer says 'recognized' on the
 * third such frame (and again three frames after a failed liveness check, as the kiosk's recognizer
 * would once its cooldown is lifted). A video passes a level if the gate lets any recognition
 * through. Levels: 'active' (blink or head turn) and 'strict' with each of the two prompts.
 *
 * Motions (bench/liveness-videos.ts): still; moved by hand (rotation, zoom, drift); tilted (a
 * perspective warp, the picture turned about its vertical then horizontal axis). The engine runs the
 * detector on every frame, as the kiosk does with liveness on (--detect-every 3 shows what tracked
 * frames would do).
 *
 * Genuine pictures are stills too: a still photo of a live person cannot blink or turn either, so
 * their pass rate is 0 by construction; the false-reject rate on genuine *video* is not measured
 * here (the data has no genuine video).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FaceEngine } from '../face/engine.ts';
import { DEFAULT_LIVENESS, LivenessCheck, livenessCues } from '../face/liveness.ts';
import {
  ATTACK_MOTIONS,
  type AttackMotion,
  type AttackRun,
  encodeAttackVideo,
  runAttackVideo,
} from './liveness-videos.ts';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/faces/pad-dev' },
    seconds: { type: 'string', default: '3' },
    fps: { type: 'string', default: '10' },
    motions: { type: 'string', default: ATTACK_MOTIONS.join(',') },
    'detect-every': { type: 'string', default: '1' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const log = (s: string) => {
  if (!args.json) console.log(s);
  else process.stderr.write(`${s}\n`);
};

type Row = { label: 'attack' | 'genuine'; file: string; motion: AttackMotion } & Omit<AttackRun, 'sample'>;

let sample: Float32Array | undefined;

/** Cost of the check itself: cues + one observe, per frame (µs), on landmarks of a real face. */
function checkCost(lm: Float32Array): number {
  const check = new LivenessCheck({ ...DEFAULT_LIVENESS, level: 'active' });
  const n = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const c = livenessCues(lm);
    if (c) check.observe(i * 100, c);
  }
  return ((performance.now() - t0) * 1000) / n;
}

const data = resolve(args.data ?? '../shared/faces/pad-dev');
const motions = (args.motions ?? '')
  .split(',')
  .filter((m): m is AttackMotion => (ATTACK_MOTIONS as readonly string[]).includes(m));
const seconds = Number(args.seconds);
const fps = Number(args.fps);
const detectEvery = Number(args['detect-every']);
const tmp = mkdtempSync(join(tmpdir(), 'liveness-bench-'));
// As a kiosk with liveness on (face-kiosk.ts): fresh landmarks on every frame.
const engine = await FaceEngine.create({ tracking: { detectEvery, shiftMaxResidual: 0 } });
const rows: Row[] = [];
try {
  for (const label of ['attack', 'genuine'] as const) {
    const files = readdirSync(join(data, label))
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .sort();
    for (const file of files) {
      if (args.only && !args.only.split(',').includes(`${label}/${file}`)) continue;
      for (const motion of label === 'genuine' ? (['still'] as const) : motions) {
        const video = join(tmp, `${label}-${file}-${motion}.mp4`);
        await encodeAttackVideo(join(data, label, file), video, motion, { seconds, fps });
        const { sample: lm, ...run } = await runAttackVideo(engine, video);
        sample ??= lm;
        const r: Row = { label, file, motion, ...run };
        rows.push(r);
        rmSync(video, { force: true });
        if (args.verbose) {
          log(
            `${label}/${file} ${motion.padEnd(6)} good ${String(r.matched).padStart(2)}/${r.frames} ` +
              `parallax ${r.parallax.toFixed(3)} closed ${r.closedRatio.toFixed(3)} ` +
              `active ${r.passActive ?? '-'} strict ${r.passStrict ?? '-'}`,
          );
        }
      }
    }
  }
} finally {
  await engine.close();
  rmSync(tmp, { recursive: true, force: true });
}

const max = (xs: number[]) => (xs.length ? Math.max(...xs) : Number.NaN);
const min = (xs: number[]) => (xs.length ? Math.min(...xs) : Number.NaN);
const t = DEFAULT_LIVENESS;
const summary: Record<string, unknown> = {};
log(
  `\nLiveness gate on ${data}: ${seconds} s at ${fps} fps per video, detector every ${detectEvery} frame(s); ` +
    `turn >= ${t.turn.minParallax} parallax on ${t.turn.minFrames} frames, blink < ${t.blink.closedRatio} of baseline`,
);
log('set              videos  recognisable  active pass  strict pass  max parallax  min closed ratio');
for (const label of ['attack', 'genuine'] as const) {
  for (const motion of ATTACK_MOTIONS) {
    const rs = rows.filter((r) => r.label === label && r.motion === motion);
    if (rs.length === 0) continue;
    const s = {
      videos: rs.length,
      recognisable: rs.filter((r) => r.matched >= 3).length,
      activePass: rs.filter((r) => r.passActive !== undefined).length,
      strictPass: rs.filter((r) => r.passStrict !== undefined).length,
      maxParallax: max(rs.map((r) => r.parallax)),
      minClosedRatio: min(rs.map((r) => r.closedRatio)),
    };
    summary[`${label}/${motion}`] = s;
    log(
      `${`${label} ${motion}`.padEnd(16)} ${String(s.videos).padStart(6)} ${String(s.recognisable).padStart(13)} ` +
        `${`${s.activePass}/${s.videos}`.padStart(12)} ${`${s.strictPass}/${s.videos}`.padStart(12)} ` +
        `${s.maxParallax.toFixed(3).padStart(13)} ${s.minClosedRatio.toFixed(3).padStart(17)}`,
    );
  }
}
const attacks = rows.filter((r) => r.label === 'attack');
const stillAttacksPassing = attacks.filter((r) => r.motion === 'still' && (r.passActive || r.passStrict));
const anyPassing = attacks.filter((r) => r.passActive || r.passStrict);
log(
  `\nattack still videos passing: ${stillAttacksPassing.length}/${attacks.filter((r) => r.motion === 'still').length}` +
    `; attack videos of any motion passing: ${anyPassing.length}/${attacks.length}` +
    (anyPassing.length ? ` (${anyPassing.map((r) => `${r.file}/${r.motion}`).join(', ')})` : ''),
);
log(
  'genuine stills: a still photo cannot blink or turn, so they are rejected by construction (FRR 100% on stills); ' +
    'the false-reject rate for live people (genuine video) is NOT measured by this set.',
);
if (sample) log(`check cost: ${checkCost(sample).toFixed(2)} µs per frame (cues + state update)`);
if (args.json) {
  console.log(
    JSON.stringify({
      detectEvery,
      thresholds: { turn: t.turn, blink: t.blink },
      summary,
      stillAttacksPassing: stillAttacksPassing.length,
      anyAttackPassing: anyPassing.length,
      rows,
    }),
  );
}
