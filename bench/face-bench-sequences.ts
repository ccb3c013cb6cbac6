/**
 * The face benchmark's sequence pass: time to a recognition on multi-frame kiosk sequences
 * (bench/face-sequence.ts: several photos of one person in turn, each held a few frames, with
 * shift, scale, turn, blur and noise), the real FacePipeline against the plain face-api chain fed
 * the same frames and held to the same rule (3 agreeing frames, `Recognizer`), in the same run.
 *
 * One sequence per probe picture (every described picture of an enrolled person that was not
 * used for enrollment): it starts with that picture and goes on with the person's next probe
 * pictures. Ours and the plain chain take turns going first, sequence by sequence, so load hits
 * both alike. Frames are made before either runs; 10 frames/s of frame time. Right before its
 * timed frames each side processes one frame of the empty kiosk, untimed (`emptyFrame`).
 *
 * Time to a recognition: processing time, the sum of the per-frame times (frame in -> decision
 * out) from the sequence's first frame to the one that decides, as a kiosk spends it when the
 * camera delivers frames faster than they are processed. Wall time (first frame submitted to the
 * decision returned, the bench's own bookkeeping included) is reported beside it.
 */
import type { FrameData } from '../face/analyzer.ts';
import type { FacePipeline } from '../face/pipeline.ts';
import { type FrameInput, type MatchVerdict, Recognizer } from '../face/recognizer.ts';
import type { ModelRun, PassOne, PlainChain } from './face-bench-describe.ts';
import { enrolledPipeline, gatePassingByIdentity } from './face-bench-latency.ts';
import type { FaceBenchArgs, Item, Log } from './face-bench-setup.ts';
import { percentile } from './face-metrics.ts';
import { DEFAULT_SEQUENCE, makeSequence, renderFrame, type SequenceOptions } from './face-sequence.ts';

export const FRAME_INTERVAL_MS = 100;

/** The plain chain's matching, as in the latency pass: FaceMatcher (mean distance to a person's descriptors) below 0.6. */
export const PLAIN_THRESHOLD = 0.6;

export interface SequenceSpec {
  identity: string;
  /** Picture numbers shown in turn. */
  pictures: number[];
}

/**
 * One sequence per probe picture: that picture first, then the person's next probe pictures in
 * turn (wrapping round), `photos` at most. Probes: every sample of an enrolled person that is not
 * one of their first k gate-passing pictures (the enrollment ones).
 */
export function planSequences(run: ModelRun, k: number, photos: number): SequenceSpec[] {
  const byId = gatePassingByIdentity(run);
  const enrolled = new Set(
    [...byId.values()].flatMap((l) => l.slice(0, k).map((s) => `${s.identity}/${s.n}`)),
  );
  const probes = new Map<string, number[]>();
  for (const s of run.samples) {
    if (!byId.has(s.identity) || enrolled.has(`${s.identity}/${s.n}`)) continue;
    probes.set(s.identity, [...(probes.get(s.identity) ?? []), s.n]);
  }
  const specs: SequenceSpec[] = [];
  for (const [identity, list] of probes) {
    list.sort((a, b) => a - b);
    const count = Math.min(photos, list.length);
    for (let i = 0; i < list.length; i++) {
      specs.push({
        identity,
        pictures: Array.from({ length: count }, (_, j) => list[(i + j) % list.length] as number),
      });
    }
  }
  return specs;
}

type Stage = 'detect' | 'landmarks' | 'descriptor';
const STAGES: Stage[] = ['detect', 'landmarks', 'descriptor'];

/** What one side did with one sequence. */
interface Outcome {
  /** Who was recognised first, if anyone. */
  personId?: string;
  /** Summed per-frame processing time up to and including the deciding frame (or all frames). */
  ms: number;
  wallMs: number;
  /** Frames processed. */
  frames: number;
  /** Per-frame times, with the frame's engine path (ours) or 'plain', and ours' stage times. */
  frameMs: { path: string; ms: number; stages?: Record<Stage, number> }[];
}

/**
 * The empty kiosk just before the person steps in: grey, with the sequences' sensor noise. Each
 * side processes it, untimed, right before its timed frames, as a kiosk keeps processing frames
 * between two people: without it the workers would sit idle while the bench makes the next
 * sequence's frames (the main thread, where the plain chain runs, does not). In a probe (dev,
 * 2 workers) ours' first frame took 62 ms p50 right after the previous person's frames and 87 ms
 * after the ~250 ms pause of making the frames.
 */
export function emptyFrame(width = 640, height = 480): FrameData {
  const grey: FrameData = { width, height, data: new Uint8Array(width * height * 3).fill(128) };
  const m = { dx: 0, dy: 0, scale: 1, rotationDeg: 0, blur: false, noiseSeed: 1 };
  return { width, height, data: renderFrame(grey, m, DEFAULT_SEQUENCE.noiseSigma) };
}

async function runOurs(
  pipeline: FacePipeline,
  empty: FrameData,
  frames: readonly FrameData[],
): Promise<Outcome> {
  // Where the previous person stood stays known (the region prior), as at a kiosk.
  await pipeline.process({ ...empty, ts: -FRAME_INTERVAL_MS });
  pipeline.engine.resetTracking();
  pipeline.recognizer.reset();
  const out: Outcome = { ms: 0, wallMs: 0, frames: 0, frameMs: [] };
  const w0 = performance.now();
  for (const [i, f] of frames.entries()) {
    const r = await pipeline.process({ ...f, ts: FRAME_INTERVAL_MS * i });
    out.ms += r.ms;
    out.frames++;
    const path = r.analysis.ok || r.analysis.landmarks ? r.analysis.path : 'no-face';
    const { detect, landmarks, descriptor } = r.analysis.ms;
    out.frameMs.push({
      path: `${i === 0 ? 'first:' : ''}${path}${r.analysis.detected ? '+detector' : ''}`,
      ms: r.ms,
      stages: { detect, landmarks, descriptor },
    });
    if (r.decision.kind === 'recognized') {
      out.personId = r.decision.personId;
      break;
    }
  }
  out.wallMs = performance.now() - w0;
  return out;
}

type Matcher = InstanceType<PlainChain['rt']['faceapi']['FaceMatcher']>;

async function runPlain(
  chain: PlainChain,
  empty: FrameData,
  matcher: Matcher,
  rec: Recognizer,
  frames: readonly FrameData[],
): Promise<Outcome> {
  await chain.describe(empty);
  rec.reset();
  const out: Outcome = { ms: 0, wallMs: 0, frames: 0, frameMs: [] };
  const w0 = performance.now();
  for (const [i, f] of frames.entries()) {
    const t0 = performance.now();
    const d = await chain.describe(f);
    const ts = FRAME_INTERVAL_MS * i;
    let input: FrameInput = { ts, kind: 'no-face' };
    if (d) {
      const m = matcher.findBestMatch(d);
      const verdict: MatchVerdict =
        m.label === 'unknown'
          ? { kind: 'unknown', reason: 'threshold', distance: m.distance }
          : { kind: 'match', personId: m.label, distance: m.distance, gap: Number.POSITIVE_INFINITY };
      input = { ts, kind: 'verdict', verdict };
    }
    const decision = rec.step(input);
    const ms = performance.now() - t0;
    out.ms += ms;
    out.frames++;
    out.frameMs.push({ path: 'plain', ms });
    if (decision.kind === 'recognized') {
      out.personId = decision.personId;
      break;
    }
  }
  out.wallMs = performance.now() - w0;
  return out;
}

/** Accuracy and times of one side over every sequence. */
function summarize(outcomes: readonly { identity: string; o: Outcome }[]): Record<string, unknown> {
  const right = outcomes.filter((x) => x.o.personId === x.identity).map((x) => x.o);
  const byPath: Record<string, number[]> = {};
  for (const { o } of outcomes) {
    for (const f of o.frameMs) byPath[f.path] = [...(byPath[f.path] ?? []), f.ms];
  }
  const p = (v: number[], q: number) => percentile(v, q);
  return {
    sequences: outcomes.length,
    correct: right.length,
    wrongPerson: outcomes.filter((x) => x.o.personId !== undefined && x.o.personId !== x.identity).length,
    never: outcomes.filter((x) => x.o.personId === undefined).length,
    // Times over the sequences recognised as the right person.
    toRecognitionP50Ms: p(
      right.map((o) => o.ms),
      50,
    ),
    toRecognitionP95Ms: p(
      right.map((o) => o.ms),
      95,
    ),
    toRecognitionWallP50Ms: p(
      right.map((o) => o.wallMs),
      50,
    ),
    toRecognitionWallP95Ms: p(
      right.map((o) => o.wallMs),
      95,
    ),
    framesToRecognitionP50: p(
      right.map((o) => o.frames),
      50,
    ),
    frames: outcomes.reduce((n, x) => n + x.o.frames, 0),
    frameP50Ms: p(
      outcomes.flatMap((x) => x.o.frameMs.map((f) => f.ms)),
      50,
    ),
    framePaths: Object.fromEntries(Object.entries(byPath).map(([k, v]) => [k, v.length])),
    frameP50MsByPath: Object.fromEntries(Object.entries(byPath).map(([k, v]) => [k, p(v, 50)])),
    // Where the time of a 3-frame recognition goes: frames 1, 2 and 3 of the sequences recognised at frame 3.
    first3FramesP50Ms: [0, 1, 2].map((i) =>
      p(
        right.filter((o) => o.frames === 3).map((o) => o.frameMs[i]?.ms ?? Number.NaN),
        50,
      ),
    ),
    ...(outcomes.some((x) => x.o.frameMs[0]?.stages) ? { stageP50MsByPath: stagesByPath(outcomes) } : {}),
  };
}

/** Engine stage times (detector, landmark net, descriptor; p50) by frame path. */
function stagesByPath(outcomes: readonly { o: Outcome }[]): Record<string, Record<Stage, number>> {
  const by: Record<string, Record<Stage, number[]>> = {};
  for (const { o } of outcomes) {
    for (const f of o.frameMs) {
      if (!f.stages) continue;
      const b = by[f.path] ?? { detect: [], landmarks: [], descriptor: [] };
      for (const st of STAGES) b[st].push(f.stages[st]);
      by[f.path] = b;
    }
  }
  return Object.fromEntries(
    Object.entries(by).map(([k, b]) => [
      k,
      Object.fromEntries(STAGES.map((st) => [st, percentile(b[st], 50)])) as Record<Stage, number>,
    ]),
  );
}

export type SequenceResult = Record<string, unknown>;

type Side = { name: string; run: (frames: readonly FrameData[]) => Promise<Outcome> };
type Outcomes = { identity: string; o: Outcome }[];

/** Median over the sequences both recognised as the right person of `a`'s time / `b`'s. */
function pairedRatio(a: Outcomes, b: Outcomes): { ratio: number; n: number } {
  const r: number[] = [];
  a.forEach((x, i) => {
    const y = b[i];
    if (y && x.o.personId === x.identity && y.o.personId === y.identity) r.push(x.o.ms / y.o.ms);
  });
  return { ratio: percentile(r, 50), n: r.length };
}

/** The plain chain's matcher: FaceMatcher over its own descriptors of the pictures ours enrolled. */
function plainMatcher(run: ModelRun, k: number, p1: PassOne, plain: PlainChain): Matcher | undefined {
  const enrolledKeys = new Set(
    [...gatePassingByIdentity(run).values()].flatMap((l) => l.slice(0, k).map((s) => `${s.identity}/${s.n}`)),
  );
  const byPerson = new Map<string, Float32Array[]>();
  for (const s of p1.plainSamples) {
    if (enrolledKeys.has(`${s.identity}/${s.n}`)) {
      byPerson.set(s.identity, [...(byPerson.get(s.identity) ?? []), s.vector]);
    }
  }
  const { faceapi } = plain.rt;
  return byPerson.size > 0
    ? new faceapi.FaceMatcher(
        [...byPerson].map(([id, v]) => new faceapi.LabeledFaceDescriptors(id, v)),
        PLAIN_THRESHOLD,
      )
    : undefined;
}

/**
 * The sequence pass for one model (the default one): ours (and any `--variant`: the same pipeline
 * with engine settings changed) against the plain chain, same frames, the sides taking turns
 * going first.
 */
export async function sequencePass(
  run: ModelRun,
  items: readonly Item[],
  k: number,
  p1: PassOne,
  plain: PlainChain | undefined,
  args: Pick<FaceBenchArgs, 'workers' | 'priorMaxAgeMs' | 'seed' | 'sequencePhotos' | 'verbose' | 'variants'>,
  log: Log,
): Promise<SequenceResult> {
  const opts: SequenceOptions = { ...DEFAULT_SEQUENCE, seed: args.seed };
  const specs = planSequences(run, k, args.sequencePhotos);
  const frameOf = new Map(items.map((it) => [`${it.identity}/${it.n}`, it.frame]));
  const empty = emptyFrame();
  const pipelines = [await enrolledPipeline(run, k, args)];
  for (const v of args.variants) pipelines.push(await enrolledPipeline(run, k, args, v.engine));
  const pipeline = pipelines[0] as FacePipeline;
  const sides: Side[] = pipelines.map((p, i) => ({
    name: i === 0 ? 'ours' : (args.variants[i - 1]?.name as string),
    run: (frames) => runOurs(p, empty, frames),
  }));
  const matcher = plain ? plainMatcher(run, k, p1, plain) : undefined;
  const plainRec = new Recognizer({ ...pipeline.recognizer.config, threshold: PLAIN_THRESHOLD, margin: 0 });
  if (plain && matcher)
    sides.push({ name: 'plain', run: (frames) => runPlain(plain, empty, matcher, plainRec, frames) });
  const outcomes: Outcomes[] = sides.map(() => []);
  for (const [s, spec] of specs.entries()) {
    const photos = spec.pictures.map((n) => frameOf.get(`${spec.identity}/${n}`) as FrameData);
    const { frames } = makeSequence(photos, `${spec.identity}/${spec.pictures.join(',')}`, opts);
    // Sequence s starts with side s mod n, so every side goes first as often as the others.
    const got: (Outcome | undefined)[] = sides.map(() => undefined);
    for (let j = 0; j < sides.length; j++) {
      const i = (s + j) % sides.length;
      got[i] = await (sides[i] as Side).run(frames);
    }
    for (const [i, o] of got.entries()) {
      (outcomes[i] as Outcomes).push({ identity: spec.identity, o: o as Outcome });
    }
    if (args.verbose) {
      const show = (x: Outcome | undefined) =>
        x ? `${x.personId ?? 'never'} after ${x.frames} frames, ${x.ms.toFixed(1)} ms` : '-';
      log(
        `  sequence ${spec.identity}/${spec.pictures.map((n) => n + 1).join(',')} (${frames.length} frames): ` +
          sides.map((x, i) => `${x.name} ${show(got[i])}`).join('; '),
      );
    }
  }
  const mem = await pipeline.engine.memory();
  for (const p of pipelines) await p.close();
  const base = plain && matcher ? (outcomes.at(-1) as Outcomes) : undefined;
  const baseSum = base ? summarize(base) : undefined;
  const baseP50 = (baseSum?.toRecognitionP50Ms as number | undefined) ?? Number.NaN;
  const ours = outcomes[0] as Outcomes;
  const oursSum = summarize(ours);
  const paired = base ? pairedRatio(ours, base) : { ratio: Number.NaN, n: 0 };
  const variants = args.variants.map((v, i) => {
    const o = outcomes[i + 1] as Outcomes;
    const sum = summarize(o);
    return {
      name: v.name,
      engine: v.engine,
      ...sum,
      toRecognitionVsBaseline: (sum.toRecognitionP50Ms as number) / baseP50,
      toRecognitionVsBaselinePaired: base ? pairedRatio(o, base).ratio : Number.NaN,
      toRecognitionVsOursPaired: pairedRatio(o, ours).ratio,
    };
  });
  return {
    model: run.kind,
    workers: args.workers,
    priorMaxAgeMs: args.priorMaxAgeMs,
    seed: args.seed,
    frameIntervalMs: FRAME_INTERVAL_MS,
    holdFrames: opts.holdFrames,
    photosPerSequence: args.sequencePhotos,
    motion: {
      maxShiftPx: opts.maxShiftPx,
      scaleRange: opts.scaleRange,
      maxRotationDeg: opts.maxRotationDeg,
      blurChance: opts.blurChance,
      noiseSigma: opts.noiseSigma,
    },
    sequences: specs.length,
    ours: oursSum,
    baseline: baseSum ?? null,
    baselineRule: {
      threshold: PLAIN_THRESHOLD,
      enrolled: 'same pictures as ours',
      agreeFrames: plainRec.config.agreeFrames,
    },
    toRecognitionVsBaseline: (oursSum.toRecognitionP50Ms as number) / baseP50,
    toRecognitionVsBaselinePaired: paired.ratio,
    pairedSequences: paired.n,
    ...(variants.length ? { variants } : {}),
    processRssMb: Math.round(Math.max(...mem.map((m) => m.rss)) / 1e6),
  };
}
