/**
 * The face benchmark's pass 2: decision latency through the real FacePipeline (worker threads),
 * per picture a 10-frame kiosk sequence of that one picture (a new person's first frame, then
 * tracked frames drifting a pixel per frame) and the same picture fully cold, each against the
 * plain chain in the same run.
 */
import { euclidean } from '../face/descriptor.ts';
import type { DeepPartial, FaceEngineConfig } from '../face/engine.ts';
import type { Frame } from '../face/frames/index.ts';
import { Gallery, meanTemplate } from '../face/gallery.ts';
import { FacePipeline } from '../face/pipeline.ts';
import { judgeMatch } from '../face/recognizer.ts';
import type { ModelRun, PassOne, PlainChain } from './face-bench-describe.ts';
import type { FaceBenchArgs, Item } from './face-bench-setup.ts';
import { type GatedSample, percentile } from './face-metrics.ts';

/** Frames per person in the latency pass: one cold frame, then tracked ones (10 frames/s). */
export const SEQUENCE_FRAMES = 10;

/** The frame shifted right and down by `shift` px, with +-3 levels of pseudo-random noise. */
function jitter(f: Frame, shift: number): Frame {
  const { width: w, height: h } = f;
  const out = new Uint8Array(f.data.length);
  let seed = shift * 7919;
  for (let y = 0; y < h; y++) {
    const sy = Math.max(0, y - shift);
    for (let x = 0; x < w; x++) {
      const sx = Math.max(0, x - shift);
      const s = (sy * w + sx) * 3;
      const d = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const v = (f.data[s + c] as number) + ((seed >> 16) % 7) - 3;
        out[d + c] = Math.max(0, Math.min(255, v));
      }
    }
  }
  return { ...f, data: out };
}

/** Gate-passing samples by identity, in picture order (what enrollment takes the first k of). */
export function gatePassingByIdentity(run: ModelRun): Map<string, GatedSample[]> {
  const byId = new Map<string, GatedSample[]>();
  for (const s of run.samples) if (s.ok) byId.set(s.identity, [...(byId.get(s.identity) ?? []), s]);
  return byId;
}

/** A pipeline for `run`'s model with everyone enrolled as in pass 1 (first k gate-passing pictures, with mirrored crops). */
export async function enrolledPipeline(
  run: ModelRun,
  k: number,
  args: Pick<FaceBenchArgs, 'workers' | 'priorMaxAgeMs'>,
  /** Engine settings changed from the defaults (a `--variant`). */
  engine: DeepPartial<FaceEngineConfig> = {},
): Promise<FacePipeline> {
  const pipeline = await FacePipeline.create({
    engine: {
      ...engine,
      workers: args.workers,
      descriptor: run.kind,
      tracking: { priorMaxAgeMs: args.priorMaxAgeMs, ...engine.tracking },
    },
  });
  if (pipeline.engine.modelId !== run.desc.modelId) {
    throw new Error(`pipeline model ${pipeline.engine.modelId} differs from ${run.desc.modelId}`);
  }
  for (const [id, list] of gatePassingByIdentity(run)) {
    const use = list.slice(0, k);
    pipeline.gallery.add(
      meanTemplate(
        id,
        run.desc.modelId,
        use.flatMap((s) => [s.vector, s.mirrored ?? s.vector]),
      ),
    );
  }
  return pipeline;
}

type Stage = 'detect' | 'landmarks' | 'align' | 'descriptor' | 'search';

/** Everything pass 2 collects for one model. */
interface Acc {
  cold: number[];
  warm: number[];
  plain: number[];
  plainDetect: number[];
  sequence: number[];
  newFace: number[];
  newFacePaths: Record<string, number>;
  wrongRecognized: number;
  /** Distance of the first frame's descriptor to pass 1's descriptor of the same picture, by path. */
  deviation: Record<string, number[]>;
  /** First-frame descriptors by path, per picture: the open set is measured on them too. */
  firstFrame: Record<string, Map<string, Float32Array>>;
  toRecognition: number[];
  notRecognized: number;
  coldStages: Record<Stage, number[]>;
  paths: Record<string, number>;
  shiftResiduals: number[];
  // Per picture: its tracked frames' median / its plain chain time, measured a few hundred ms
  // apart, so both see about the same load on a shared machine.
  pairedTracked: number[];
  pairedSequence: number[];
}

function newAcc(): Acc {
  return {
    cold: [],
    warm: [],
    plain: [],
    plainDetect: [],
    sequence: [],
    newFace: [],
    newFacePaths: {},
    wrongRecognized: 0,
    deviation: {},
    firstFrame: {},
    toRecognition: [],
    notRecognized: 0,
    coldStages: { detect: [], landmarks: [], align: [], descriptor: [], search: [] },
    paths: {},
    shiftResiduals: [],
    pairedTracked: [],
    pairedSequence: [],
  };
}

type Matcher = InstanceType<PlainChain['rt']['faceapi']['FaceMatcher']>;

/** One picture: the plain chain (detector alone, then the whole chain), its kiosk sequence, then cold. */
async function timePicture(
  it: Item,
  pipeline: FacePipeline,
  plain: { chain: PlainChain; gallery: Matcher } | undefined,
  passOne: Map<string, Float32Array>,
  a: Acc,
): Promise<void> {
  if (plain) {
    a.plainDetect.push(await plain.chain.detect(it.frame));
    const p0 = performance.now();
    const d = await plain.chain.describe(it.frame);
    if (d) plain.gallery.findBestMatch(d);
    a.plain.push(performance.now() - p0);
  }
  const key = `${it.identity}/${it.n}`;
  const devOf = (r: { descriptor?: Float32Array; path: string }) => {
    const ref = passOne.get(key);
    if (!r.descriptor || !ref) return;
    const byPath = a.firstFrame[r.path] ?? new Map<string, Float32Array>();
    byPath.set(key, r.descriptor);
    a.firstFrame[r.path] = byPath;
    const list = a.deviation[r.path] ?? [];
    list.push(euclidean(r.descriptor, ref));
    a.deviation[r.path] = list;
  };
  // A kiosk sequence at 10 frames/s: a new person's first frame (nothing tracked; the previous
  // person's place is known, unless --no-prior), then 9 frames of the same person standing
  // still, drifting a pixel per frame, with noise.
  pipeline.engine.resetTracking();
  pipeline.recognizer.reset();
  let elapsed = 0;
  let recognizedAt: number | undefined;
  const own: number[] = [];
  for (let i = 0; i < SEQUENCE_FRAMES; i++) {
    const r = await pipeline.process({ ...(i === 0 ? it.frame : jitter(it.frame, i)), ts: 100 * i });
    a.sequence.push(r.ms);
    own.push(r.ms);
    elapsed += r.ms;
    if (recognizedAt === undefined && r.decision.kind === 'recognized') {
      recognizedAt = elapsed;
      if (r.decision.personId !== it.identity) a.wrongRecognized++;
    }
    if (i === 0) {
      a.newFace.push(r.ms);
      a.newFacePaths[r.analysis.path] = (a.newFacePaths[r.analysis.path] ?? 0) + 1;
      devOf(r.analysis);
    } else {
      a.warm.push(r.ms);
      const pathKey = `${r.analysis.path}${r.analysis.detected ? '+detector' : ''}`;
      a.paths[pathKey] = (a.paths[pathKey] ?? 0) + 1;
      // Tracked frames' descriptors too, by path (the last one per picture goes into the open set).
      devOf({ ...r.analysis, path: `${pathKey}@tracked` });
      if (r.analysis.shiftResidual !== undefined) a.shiftResiduals.push(r.analysis.shiftResidual);
    }
  }
  const plainMs = a.plain[a.plain.length - 1];
  if (plain && plainMs !== undefined) {
    a.pairedTracked.push(percentile(own.slice(1), 50) / plainMs);
    a.pairedSequence.push(percentile(own, 50) / plainMs);
  }
  if (recognizedAt !== undefined) a.toRecognition.push(recognizedAt);
  else a.notRecognized++;
  // The same picture fully cold: nothing tracked, no previous place (first face after start-up).
  pipeline.engine.resetTracking(true);
  pipeline.recognizer.reset();
  const r = await pipeline.process({ ...it.frame, ts: 0 });
  a.cold.push(r.ms);
  devOf(r.analysis);
  const m = r.analysis.ms;
  a.coldStages.detect.push(m.detect);
  a.coldStages.landmarks.push(m.landmarks);
  a.coldStages.align.push(m.align);
  a.coldStages.descriptor.push(m.descriptor);
  a.coldStages.search.push(r.searchMs);
}

type PathOpenSet = Record<
  string,
  { correct: number; genuine: number; falseAccepts: number; strangers: number }
>;

/**
 * Open set on the pictures the timed paths described (gate-passing ones), pass 1's descriptors
 * against each path's first-frame descriptors, same templates, shipped operating point.
 */
function openSetByPath(
  run: ModelRun,
  pipeline: FacePipeline,
  k: number,
  sources: [string, Map<string, Float32Array>][],
): PathOpenSet {
  const byId = gatePassingByIdentity(run);
  const enrolledKeys = new Set(
    [...byId.values()].flatMap((l) => l.slice(0, k).map((x) => `${x.identity}/${x.n}`)),
  );
  const galleryWithout = new Map<string, Gallery>();
  const judgeWithout = (v: Float32Array, exclude?: string) => {
    const key = exclude ?? '';
    let g = galleryWithout.get(key);
    if (!g) {
      g = new Gallery(run.desc.modelId, run.desc.dim);
      for (const [id, list] of byId) {
        if (id === exclude) continue;
        const use = list.slice(0, k);
        g.add(
          meanTemplate(
            id,
            run.desc.modelId,
            use.flatMap((x) => [x.vector, x.mirrored ?? x.vector]),
          ),
        );
      }
      galleryWithout.set(key, g);
    }
    return judgeMatch(g.search(v, run.desc.modelId), pipeline.recognizer.config);
  };
  const pathOpenSet: PathOpenSet = {};
  for (const [name, vectors] of sources) {
    const r = { correct: 0, genuine: 0, falseAccepts: 0, strangers: 0 };
    for (const [key, v] of vectors) {
      const identity = key.slice(0, key.lastIndexOf('/'));
      if (!enrolledKeys.has(key)) {
        r.genuine++;
        const m = judgeWithout(v);
        if (m.kind === 'match' && m.personId === identity) r.correct++;
      }
      r.strangers++;
      if (judgeWithout(v, identity).kind === 'match') r.falseAccepts++;
    }
    pathOpenSet[name] = r;
  }
  return pathOpenSet;
}

export type LatencyResult = Record<string, number | Record<string, number>>;

/** Pass 2 for one model: its pipeline against the plain chain, picture by picture. */
export async function latencyForModel(
  run: ModelRun,
  items: readonly Item[],
  k: number,
  p1: PassOne,
  plain: PlainChain | undefined,
  args: Pick<FaceBenchArgs, 'workers' | 'priorMaxAgeMs'>,
): Promise<LatencyResult> {
  const pipeline = await enrolledPipeline(run, k, args);
  const okKeys = new Set(run.samples.filter((s) => s.ok && !s.skipped).map((s) => `${s.identity}/${s.n}`));
  const timed = items.filter((it) => okKeys.has(`${it.identity}/${it.n}`));
  const a = newAcc();
  const passOne = new Map(run.samples.map((x) => [`${x.identity}/${x.n}`, x.vector]));
  const faceapi = plain?.rt.faceapi;
  const plainGallery =
    plain && faceapi && p1.plainSamples.length > 0
      ? {
          chain: plain,
          gallery: new faceapi.FaceMatcher(
            [...new Map(p1.plainSamples.map((s) => [s.identity, s])).values()].map(
              (s) => new faceapi.LabeledFaceDescriptors(s.identity, [s.vector]),
            ),
            0.6,
          ),
        }
      : undefined;
  for (const it of timed) await timePicture(it, pipeline, plainGallery, passOne, a);
  const pathOpenSet = openSetByPath(run, pipeline, k, [
    ['pass1', new Map([...passOne].filter(([key]) => okKeys.has(key)))],
    ...Object.entries(a.firstFrame),
  ]);
  const mem = await pipeline.engine.memory();
  await pipeline.close();
  const p50 = (v: number[]) => percentile(v, 50);
  const byKey = (o: Record<string, number[]>, f: (v: number[]) => number) =>
    Object.fromEntries(Object.entries(o).map(([k2, v]) => [k2, f(v)])) as Record<string, number>;
  return {
    decisionP50Ms: p50(a.warm),
    decisionP95Ms: percentile(a.warm, 95),
    decisionColdP50Ms: p50(a.cold),
    decisionColdP95Ms: percentile(a.cold, 95),
    baselineDecisionP50Ms: p50(a.plain),
    baselineDecisionP95Ms: percentile(a.plain, 95),
    baselineDetectP50Ms: p50(a.plainDetect),
    trackedVsBaseline: p50(a.warm) / p50(a.plain),
    trackedVsBaselinePaired: p50(a.pairedTracked),
    sequenceVsBaselinePaired: p50(a.pairedSequence),
    coldVsBaseline: p50(a.cold) / p50(a.plain),
    newFaceP50Ms: p50(a.newFace),
    newFaceVsBaseline: p50(a.newFace) / p50(a.plain),
    newFacePaths: a.newFacePaths,
    wrongRecognized: a.wrongRecognized,
    descriptorDeviationP50: byKey(a.deviation, p50),
    descriptorDeviationMax: byKey(a.deviation, (v) => Math.max(...v)),
    openSetByPath: pathOpenSet as unknown as Record<string, number>,
    shiftResidualP50: p50(a.shiftResiduals),
    shiftResidualMax: a.shiftResiduals.length ? Math.max(...a.shiftResiduals) : Number.NaN,
    sequenceP50Ms: p50(a.sequence),
    sequenceMeanMs: a.sequence.reduce((x, y) => x + y, 0) / Math.max(1, a.sequence.length),
    sequenceVsBaseline: p50(a.sequence) / p50(a.plain),
    sequenceFrames: SEQUENCE_FRAMES,
    toRecognitionP50Ms: p50(a.toRecognition),
    notRecognized: a.notRecognized,
    coldStagesP50Ms: byKey(a.coldStages, p50),
    workers: args.workers,
    priorMaxAgeMs: args.priorMaxAgeMs,
    frames: a.warm.length,
    trackedPaths: a.paths,
    // Resident memory of this whole process (bench models and earlier pipelines included).
    processRssMb: Math.round(Math.max(...mem.map((m) => m.rss)) / 1e6),
  };
}
