/**
 * Face benchmark: every shipped descriptor model side by side in one run, on the same detections
 * and landmarks, plus the plain face-api chain as the historical baseline.
 *
 *   npm run bench:face -- --data ../shared/faces/dev [--models mfn512,mfn192,faceapi] [--json]
 *        [--workers 1|2] [--no-prior] [--limit N] [--latency default|all|none] [--no-baseline] [--dump FILE]
 *        [--skip-detection] [--verbose]
 *
 * --data is a folder laid out as <identity>/<n>.jpg (folders starting with "_" are ignored). Every
 * picture becomes a 640x480 frame (letterboxed on grey, never enlarged). Pass 1, on this thread:
 * the engine's detector (input sizes 224/320/416) and landmark net find the face; where the
 * detector finds none (tight face crops), the landmark net is run on the whole picture instead
 * ("detection skipped", reported as such; --skip-detection does it for every picture); then every
 * model aligns the face to its own template
 * and describes it, the models taking turns picture by picture so machine load hits all alike.
 * The gates (pose, brightness, sharpness on a fixed chip) are the same for every model.
 * Pass 2 (--latency): the real FacePipeline (worker threads; by default as many as the engine
 * would start, so 1 under `taskset -c 0`) per model, decision latency on 640x480 frames: per
 * picture a 10-frame kiosk sequence (a new person's first frame, where the previous face's place
 * is known unless --no-prior, then tracked frames) and the same picture fully cold, each against
 * the plain chain in the same run. With --json the last line is one JSON object (rates as
 * fractions, times in ms); --dump writes every descriptor and every picture's gate measurements
 * for bench/face-calibrate.ts (--gates) and bench/face-blur.ts.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { alignmentScale, QUALITY_TEMPLATE } from '../face/align.ts';
import { embedFace, FaceAnalyzer, type FrameData } from '../face/analyzer.ts';
import { type Descriptor, euclidean, mirrorFace } from '../face/descriptor.ts';
import {
  createDescriptor,
  DEFAULT_DESCRIPTOR,
  DESCRIPTOR_KINDS,
  DESCRIPTOR_MODELS,
  type DescriptorKind,
  isDescriptorKind,
  type OperatingPoint,
} from '../face/descriptor-models.ts';
import { DEFAULT_ENGINE_CONFIG } from '../face/engine.ts';
import { decodeImageFile, type Frame, listImages } from '../face/frames/index.ts';
import { Gallery, meanTemplate } from '../face/gallery.ts';
import { FacePipeline } from '../face/pipeline.ts';
import {
  checkCrop,
  checkDetections,
  checkPose,
  DEFAULT_QUALITY,
  poseFromLandmarks,
  type QualityIssue,
} from '../face/quality.ts';
import { DEFAULT_RECOGNIZER, judgeMatch } from '../face/recognizer.ts';
import { loadFaceApi } from '../face/tf-backend.ts';
import type { FaceDump, GateRecord } from './face-dump.ts';
import {
  type GatedSample,
  openSet,
  percentile,
  rank1,
  type Sample,
  type ShippedOpenSet,
  shippedOpenSet,
  type VerificationStats,
  verification,
} from './face-metrics.ts';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/faces/dev' },
    models: { type: 'string', default: DESCRIPTOR_KINDS.join(',') },
    json: { type: 'boolean', default: false },
    workers: { type: 'string' },
    'no-prior': { type: 'boolean', default: false },
    limit: { type: 'string' },
    latency: { type: 'string', default: 'default' },
    'no-baseline': { type: 'boolean', default: false },
    'search-queries': { type: 'string', default: '300' },
    dump: { type: 'string' },
    'skip-detection': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const log = (s: string) => {
  if (!args.json) console.log(s);
  else process.stderr.write(`${s}\n`);
};
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '-');

interface Item {
  identity: string;
  n: number;
  path: string;
  frame: Frame;
}

async function loadData(dir: string, limit?: number): Promise<{ items: Item[]; decodeErrors: string[] }> {
  const ids = readdirSync(dir)
    .filter((d) => !d.startsWith('_') && !d.startsWith('.') && statSync(join(dir, d)).isDirectory())
    .sort();
  const items: Item[] = [];
  const decodeErrors: string[] = [];
  for (const identity of ids) {
    const files = await listImages(join(dir, identity));
    const decoded = await Promise.all(
      files.map((path) => decodeImageFile(path, { width: 640, height: 480, noUpscale: true })),
    );
    decoded.forEach((f, n) => {
      if (f.kind === 'frame') items.push({ identity, n, path: files[n] as string, frame: f });
      else decodeErrors.push(`${files[n]}: ${f.message}`);
    });
    if (limit !== undefined && items.length >= limit) break;
  }
  return { items, decodeErrors };
}

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

/** Gallery search with threshold and margin, one gallery per left-out identity (cached). */
function makeSearch(modelId: string, dim: number, op: OperatingPoint) {
  const cache = new WeakMap<Map<string, Float32Array>, Map<string, Gallery>>();
  return (templates: Map<string, Float32Array>, probe: Float32Array, exclude?: string) => {
    let byExclude = cache.get(templates);
    if (!byExclude) {
      byExclude = new Map();
      cache.set(templates, byExclude);
    }
    const key = exclude ?? '';
    let g = byExclude.get(key);
    if (!g) {
      g = new Gallery(modelId, dim);
      for (const [id, v] of templates) if (id !== exclude) g.add({ personId: id, modelId, vector: v });
      byExclude.set(key, g);
    }
    return judgeMatch(g.search(probe, modelId), op);
  };
}

/** Frames per person in the latency pass: one cold frame, then tracked ones (10 frames/s). */
const SEQUENCE_FRAMES = 10;

const meanOf = (vectors: Float32Array[]) => meanTemplate('x', 'x', vectors).vector;

interface ModelRun {
  kind: DescriptorKind;
  desc: Descriptor;
  samples: (GatedSample & { skipped: boolean })[];
  embedMs: number[];
}

async function main(): Promise<void> {
  const dataDir = resolve(args.data as string);
  const limit = args.limit !== undefined ? Number(args.limit) : undefined;
  const kinds = (args.models as string).split(',').map((s) => s.trim());
  for (const k of kinds) if (!isDescriptorKind(k)) throw new Error(`unknown model '${k}'`);
  const models = kinds as DescriptorKind[];
  log(`data: ${dataDir}`);
  const { items, decodeErrors } = await loadData(dataDir, limit);
  const identities = new Set(items.map((i) => i.identity));
  log(`${items.length} images of ${identities.size} identities (${decodeErrors.length} undecodable)`);
  for (const e of decodeErrors) log(`  undecodable: ${e}`);
  if (identities.size < 2) {
    console.error(
      `${dataDir}: expected <identity>/<n>.jpg for at least 2 identities, found ${identities.size}`,
    );
    process.exit(2);
  }

  // ---------- Models, all on this thread's tfjs backend ----------
  const analyzer = await FaceAnalyzer.create(['locate']);
  const runs: ModelRun[] = [];
  for (const kind of models) {
    const t0 = performance.now();
    const desc = await createDescriptor(kind);
    runs.push({ kind, desc, samples: [], embedMs: [] });
    log(`model ${kind}: ${desc.modelId}, ${desc.dim}-d, loaded in ${ms(performance.now() - t0)}`);
  }
  log(`backend: ${analyzer.backend}`);
  await analyzer.warmUp(1);
  for (const r of runs) {
    const n = r.desc.inputSize;
    const face = { data: new Uint8Array(n * n * 3).map((_, i) => (i * 7919) % 251), size: n };
    for (let i = 0; i < 5; i++) await r.desc.compute(face);
  }

  // ---------- Plain face-api chain (baseline), same thread ----------
  const baseline = !args['no-baseline'];
  const rt = await loadFaceApi({ nets: ['tinyFaceDetector', 'faceLandmark68Net', 'faceRecognitionNet'] });
  const { faceapi, tf } = rt;
  const plainOpts = new faceapi.TinyFaceDetectorOptions({ inputSize: 320 });
  const plainChain = async (f: Frame): Promise<Float32Array | undefined> => {
    const t = tf.tensor3d(f.data, [f.height, f.width, 3], 'int32');
    try {
      const r = await faceapi
        .detectSingleFace(t as unknown as Parameters<typeof faceapi.detectSingleFace>[0], plainOpts)
        .withFaceLandmarks()
        .withFaceDescriptor();
      return r?.descriptor;
    } finally {
      t.dispose();
    }
  };
  if (baseline) for (const it of items.slice(0, 3)) await plainChain(it.frame);

  // ---------- Pass 1: locate once, describe with every model ----------
  const det = DEFAULT_ENGINE_CONFIG.detector;
  const q = DEFAULT_QUALITY;
  let detected = 0;
  let skipped = 0;
  let undescribed = 0;
  let okCount = 0;
  const refusals: Record<string, number> = {};
  const plainSamples: Sample[] = [];
  const plainMissed: { identity: string; n: number }[] = [];
  const skippedList: string[] = [];
  /** Per picture: what every gate measured (for bench/face-calibrate.ts --gates and --verbose). */
  const gateRecords: GateRecord[] = [];
  for (const [idx, it] of items.entries()) {
    if (baseline) {
      const pd = await plainChain(it.frame);
      if (pd) plainSamples.push({ identity: it.identity, n: it.n, vector: pd });
      else plainMissed.push({ identity: it.identity, n: it.n });
    }
    const loc = args['skip-detection']
      ? undefined
      : await analyzer.locate(it.frame, {
          inputSizes: det.inputSizes,
          scoreThreshold: det.scoreThreshold,
          minScore: q.minScore,
        });
    let src: FrameData = it.frame;
    let landmarks = loc?.landmarks;
    let gate: QualityIssue | undefined;
    let detIssue: QualityIssue | undefined;
    let wasSkipped = false;
    if (loc && landmarks) {
      detected++;
      const d = checkDetections(loc.faces, it.frame.width, it.frame.height, q);
      detIssue = 'issue' in d ? d.issue : undefined;
      gate = detIssue ?? checkPose(poseFromLandmarks(landmarks), q);
    } else {
      // Detection failed: landmarks on the whole (un-letterboxed) picture, the face filling it.
      const native = await decodeImageFile(it.path);
      if (native.kind !== 'frame') {
        undescribed++;
        continue;
      }
      src = native;
      landmarks = await analyzer.landmarks(native, {
        x: 0,
        y: 0,
        width: native.width,
        height: native.height,
      });
      gate = checkPose(poseFromLandmarks(landmarks), q);
      wasSkipped = true;
      skipped++;
      skippedList.push(`${it.identity}/${it.n + 1}`);
    }
    // Take turns: a different model goes first on each picture.
    for (let j = 0; j < runs.length; j++) {
      const r = runs[(idx + j) % runs.length] as ModelRun;
      const e = await embedFace(r.desc, src, landmarks, { returnCrop: true });
      r.embedMs.push(e.ms.descriptor);
      const mirrored = await r.desc.compute(
        mirrorFace({ data: e.crop as Uint8Array, size: r.desc.inputSize }),
      );
      const failed = gate ?? checkCrop(e.stats, q);
      const code = failed?.code;
      r.samples.push({
        identity: it.identity,
        n: it.n,
        vector: e.descriptor,
        mirrored,
        ok: code === undefined,
        skipped: wasSkipped,
      });
      // The same for every model: same landmarks, crop statistics on the same fixed chip.
      if (j === 0) {
        if (code) refusals[code] = (refusals[code] ?? 0) + 1;
        else okCount++;
        const pose = poseFromLandmarks(landmarks);
        gateRecords.push({
          identity: it.identity,
          n: it.n,
          skipped: wasSkipped,
          ...(detIssue ? { detection: detIssue.code } : {}),
          yaw: pose.yaw,
          pitch: pose.pitch,
          rollDeg: pose.rollDeg,
          brightness: e.stats.brightness,
          sharpness: e.stats.sharpness,
          scale: alignmentScale(QUALITY_TEMPLATE, landmarks),
          ...(failed ? { refused: failed } : {}),
        });
      }
    }
  }

  // ---------- Accuracy per model ----------
  const k = 3;
  const perModel: Record<string, unknown> = {};
  const faceapiRun = runs.find((r) => r.kind === 'faceapi');
  const faceapiEmbedP50 = faceapiRun ? percentile(faceapiRun.embedMs, 50) : Number.NaN;
  const summaries: {
    kind: DescriptorKind;
    modelId: string;
    ver: VerificationStats;
    verDetected: VerificationStats;
    r1: number;
    r3: number;
    os: ShippedOpenSet;
    osNoGates: ShippedOpenSet;
    op: OperatingPoint;
    embedP50: number;
    embedP95: number;
    search50k: number;
  }[] = [];
  for (const r of runs) {
    const op = DESCRIPTOR_MODELS[r.kind].operatingPoint;
    const ver = verification(r.samples, euclidean);
    const verDetected = verification(
      r.samples.filter((s) => !s.skipped),
      euclidean,
    );
    const r1 = rank1(r.samples, 1, euclidean).rate;
    const r3 = rank1(r.samples, 3, euclidean).rate;
    const search = makeSearch(r.desc.modelId, r.desc.dim, op);
    const os = shippedOpenSet(r.samples, k, search, meanOf);
    // The descriptor alone: every picture enrolled / probed as if it had passed the gates.
    const osNoGates = shippedOpenSet(
      r.samples.map((x) => ({ ...x, ok: true })),
      k,
      makeSearch(r.desc.modelId, r.desc.dim, op),
      meanOf,
    );
    const search50k = searchBench(r.desc.dim, r.samples, Number(args['search-queries']));
    const s = {
      kind: r.kind,
      modelId: r.desc.modelId,
      ver,
      verDetected,
      r1,
      r3,
      os,
      osNoGates,
      op,
      embedP50: percentile(r.embedMs, 50),
      embedP95: percentile(r.embedMs, 95),
      search50k,
    };
    summaries.push(s);
    perModel[r.kind] = {
      modelId: r.desc.modelId,
      dim: r.desc.dim,
      operatingPoint: { ...op, enrollImages: k },
      described: r.samples.length,
      eer: ver.eer,
      eerThreshold: ver.eerThreshold,
      tarAtFar1: ver.tarAtFar1,
      tarAtFar01: ver.tarAtFar01,
      genuinePairs: ver.genuinePairs,
      impostorPairs: ver.impostorPairs,
      eerDetectedOnly: verDetected.genuinePairs > 0 ? verDetected.eer : null,
      tarAtFar01DetectedOnly: verDetected.genuinePairs > 0 ? verDetected.tarAtFar01 : null,
      rank1With1: r1,
      rank1With3: r3,
      correctAcceptRate: os.correctAccepts / Math.max(1, os.genuineProbes),
      correctAcceptRateGated: os.correctAccepts / Math.max(1, os.genuineProbes - os.gateRefused),
      correctAccepts: os.correctAccepts,
      genuineProbes: os.genuineProbes,
      gateRefusedProbes: os.gateRefused,
      wrongAccepts: os.wrongAccepts,
      openSetFalseAcceptRate: os.falseAccepts / Math.max(1, os.strangerProbes),
      falseAccepts: os.falseAccepts,
      strangerProbes: os.strangerProbes,
      gatesIgnored: {
        correctAcceptRate: osNoGates.correctAccepts / Math.max(1, osNoGates.genuineProbes),
        correctAccepts: osNoGates.correctAccepts,
        genuineProbes: osNoGates.genuineProbes,
        openSetFalseAcceptRate: osNoGates.falseAccepts / Math.max(1, osNoGates.strangerProbes),
        falseAccepts: osNoGates.falseAccepts,
        strangerProbes: osNoGates.strangerProbes,
      },
      embedP50Ms: s.embedP50,
      embedP95Ms: s.embedP95,
      embedVsFaceApi: s.embedP50 / faceapiEmbedP50,
      search50kMs: search50k,
    };
    if (args.verbose) {
      for (const m of os.misses) log(`  ${r.kind} missed ${m.identity}/${m.n + 1}: ${m.verdict}`);
      for (const f of os.falseAcceptList) {
        log(`  ${r.kind} false accept ${f.identity}/${f.n + 1} as ${f.as} at ${f.distance.toFixed(3)}`);
      }
    }
  }

  // Baseline open set: first detected picture enrolled, nearest template below 0.6 (FaceMatcher).
  let baselineResult: Record<string, number> | undefined;
  if (baseline) {
    const plainVer = verification(plainSamples, euclidean);
    const plainOpen = openSet(plainSamples, plainMissed, 1, { threshold: 0.6, margin: 0 }, euclidean);
    baselineResult = {
      detectionRate: plainSamples.length / Math.max(1, items.length),
      eer: plainVer.eer,
      tarAtFar1: plainVer.tarAtFar1,
      tarAtFar01: plainVer.tarAtFar01,
      rank1With1: rank1(plainSamples, 1, euclidean).rate,
      correctAcceptRate: plainOpen.correctAccepts / Math.max(1, plainOpen.genuineProbes),
      openSetFalseAcceptRate:
        plainOpen.falseAccepts / Math.max(1, plainOpen.strangerProbes - plainMissed.length),
      falseAccepts: plainOpen.falseAccepts,
      strangerProbes: plainOpen.strangerProbes - plainMissed.length,
    };
  }

  // ---------- Pass 2: decision latency through the real pipeline (worker threads) ----------
  const latencyKinds: DescriptorKind[] =
    args.latency === 'none'
      ? []
      : args.latency === 'all'
        ? models
        : models.filter((m) => m === DEFAULT_DESCRIPTOR).slice(0, 1);
  const latency: Record<string, Record<string, number | Record<string, number>>> = {};
  for (const kind of latencyKinds) {
    const run = runs.find((r) => r.kind === kind) as ModelRun;
    // Default: the engine's own choice (2 workers with two cores, 1 under `taskset -c 0`).
    const workers =
      args.workers === undefined ? DEFAULT_ENGINE_CONFIG.workers : Number(args.workers) === 1 ? 1 : 2;
    const priorMaxAgeMs = args['no-prior'] ? 0 : DEFAULT_ENGINE_CONFIG.tracking.priorMaxAgeMs;
    const pipeline = await FacePipeline.create({
      engine: { workers, descriptor: kind, tracking: { priorMaxAgeMs } },
    });
    if (pipeline.engine.modelId !== run.desc.modelId) {
      throw new Error(`pipeline model ${pipeline.engine.modelId} differs from ${run.desc.modelId}`);
    }
    // Enrolled as in pass 1 (first 3 gate-passing pictures, mean with mirrored crops).
    const byId = new Map<string, GatedSample[]>();
    for (const s of run.samples) if (s.ok) byId.set(s.identity, [...(byId.get(s.identity) ?? []), s]);
    for (const [id, list] of byId) {
      const use = list.slice(0, k);
      pipeline.gallery.add(
        meanTemplate(
          id,
          run.desc.modelId,
          use.flatMap((s) => [s.vector, s.mirrored ?? s.vector]),
        ),
      );
    }
    const okKeys = new Set(run.samples.filter((s) => s.ok && !s.skipped).map((s) => `${s.identity}/${s.n}`));
    const timed = items.filter((it) => okKeys.has(`${it.identity}/${it.n}`));
    const cold: number[] = [];
    const warm: number[] = [];
    const plain: number[] = [];
    const plainDetect: number[] = [];
    const sequence: number[] = [];
    const newFace: number[] = [];
    const newFacePaths: Record<string, number> = {};
    let wrongRecognized = 0;
    /** Distance of the first frame's descriptor to pass 1's descriptor of the same picture, by path. */
    const deviation: Record<string, number[]> = {};
    const passOne = new Map(run.samples.map((x) => [`${x.identity}/${x.n}`, x.vector]));
    /** First-frame descriptors by path, per picture: the open set is measured on them too. */
    const firstFrame: Record<string, Map<string, Float32Array>> = {};
    const toRecognition: number[] = [];
    let notRecognized = 0;
    const coldStages: Record<'detect' | 'landmarks' | 'align' | 'descriptor' | 'search', number[]> = {
      detect: [],
      landmarks: [],
      align: [],
      descriptor: [],
      search: [],
    };
    const paths: Record<string, number> = {};
    const shiftResiduals: number[] = [];
    // Per picture: its tracked frames' median / its plain chain time, measured a few hundred ms
    // apart, so both see about the same load on a shared machine.
    const pairedTracked: number[] = [];
    const pairedSequence: number[] = [];
    const plainGallery =
      baseline && plainSamples.length > 0
        ? new faceapi.FaceMatcher(
            [...new Map(plainSamples.map((s) => [s.identity, s])).values()].map(
              (s) => new faceapi.LabeledFaceDescriptors(s.identity, [s.vector]),
            ),
            0.6,
          )
        : undefined;
    for (const it of timed) {
      if (plainGallery) {
        // Its detector alone, then the whole chain (the baseline figure).
        const t = tf.tensor3d(it.frame.data, [it.frame.height, it.frame.width, 3], 'int32');
        const d0 = performance.now();
        await faceapi.detectSingleFace(
          t as unknown as Parameters<typeof faceapi.detectSingleFace>[0],
          plainOpts,
        );
        plainDetect.push(performance.now() - d0);
        t.dispose();
        const p0 = performance.now();
        const d = await plainChain(it.frame);
        if (d) plainGallery.findBestMatch(d);
        plain.push(performance.now() - p0);
      }
      const devOf = (a: { descriptor?: Float32Array; path: string }) => {
        const ref = passOne.get(`${it.identity}/${it.n}`);
        if (!a.descriptor || !ref) return;
        const byPath = firstFrame[a.path] ?? new Map<string, Float32Array>();
        byPath.set(`${it.identity}/${it.n}`, a.descriptor);
        firstFrame[a.path] = byPath;
        const list = deviation[a.path] ?? [];
        list.push(euclidean(a.descriptor, ref));
        deviation[a.path] = list;
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
        sequence.push(r.ms);
        own.push(r.ms);
        elapsed += r.ms;
        if (recognizedAt === undefined && r.decision.kind === 'recognized') {
          recognizedAt = elapsed;
          if (r.decision.personId !== it.identity) wrongRecognized++;
        }
        if (i === 0) {
          newFace.push(r.ms);
          newFacePaths[r.analysis.path] = (newFacePaths[r.analysis.path] ?? 0) + 1;
          devOf(r.analysis);
        } else {
          warm.push(r.ms);
          const key = `${r.analysis.path}${r.analysis.detected ? '+detector' : ''}`;
          paths[key] = (paths[key] ?? 0) + 1;
          // Tracked frames' descriptors too, by path (the last one per picture goes into the open set).
          devOf({ ...r.analysis, path: `${key}@tracked` });
          if (r.analysis.shiftResidual !== undefined) shiftResiduals.push(r.analysis.shiftResidual);
        }
      }
      const plainMs = plain[plain.length - 1];
      if (plainGallery && plainMs !== undefined) {
        pairedTracked.push(percentile(own.slice(1), 50) / plainMs);
        pairedSequence.push(percentile(own, 50) / plainMs);
      }
      if (recognizedAt !== undefined) toRecognition.push(recognizedAt);
      else notRecognized++;
      // The same picture fully cold: nothing tracked, no previous place (first face after start-up).
      pipeline.engine.resetTracking(true);
      pipeline.recognizer.reset();
      const r = await pipeline.process({ ...it.frame, ts: 0 });
      cold.push(r.ms);
      devOf(r.analysis);
      const m = r.analysis.ms;
      coldStages.detect.push(m.detect);
      coldStages.landmarks.push(m.landmarks);
      coldStages.align.push(m.align);
      coldStages.descriptor.push(m.descriptor);
      coldStages.search.push(r.searchMs);
    }
    // Open set on the pictures the timed paths described (gate-passing ones), pass 1's descriptors
    // against each path's first-frame descriptors, same templates, shipped operating point.
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
    const pathOpenSet: Record<
      string,
      { correct: number; genuine: number; falseAccepts: number; strangers: number }
    > = {};
    const sources: [string, Map<string, Float32Array>][] = [
      ['pass1', new Map([...passOne].filter(([key]) => okKeys.has(key)))],
      ...Object.entries(firstFrame),
    ];
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
    const mem = await pipeline.engine.memory();
    await pipeline.close();
    latency[kind] = {
      decisionP50Ms: percentile(warm, 50),
      decisionP95Ms: percentile(warm, 95),
      decisionColdP50Ms: percentile(cold, 50),
      decisionColdP95Ms: percentile(cold, 95),
      baselineDecisionP50Ms: percentile(plain, 50),
      baselineDecisionP95Ms: percentile(plain, 95),
      baselineDetectP50Ms: percentile(plainDetect, 50),
      trackedVsBaseline: percentile(warm, 50) / percentile(plain, 50),
      trackedVsBaselinePaired: percentile(pairedTracked, 50),
      sequenceVsBaselinePaired: percentile(pairedSequence, 50),
      coldVsBaseline: percentile(cold, 50) / percentile(plain, 50),
      newFaceP50Ms: percentile(newFace, 50),
      newFaceVsBaseline: percentile(newFace, 50) / percentile(plain, 50),
      newFacePaths,
      wrongRecognized,
      descriptorDeviationP50: Object.fromEntries(
        Object.entries(deviation).map(([k2, v]) => [k2, percentile(v, 50)]),
      ) as Record<string, number>,
      descriptorDeviationMax: Object.fromEntries(
        Object.entries(deviation).map(([k2, v]) => [k2, Math.max(...v)]),
      ) as Record<string, number>,
      openSetByPath: pathOpenSet as unknown as Record<string, number>,
      shiftResidualP50: percentile(shiftResiduals, 50),
      shiftResidualMax: shiftResiduals.length ? Math.max(...shiftResiduals) : Number.NaN,
      sequenceP50Ms: percentile(sequence, 50),
      sequenceMeanMs: sequence.reduce((a, b) => a + b, 0) / Math.max(1, sequence.length),
      sequenceVsBaseline: percentile(sequence, 50) / percentile(plain, 50),
      sequenceFrames: SEQUENCE_FRAMES,
      toRecognitionP50Ms: percentile(toRecognition, 50),
      notRecognized,
      coldStagesP50Ms: Object.fromEntries(
        Object.entries(coldStages).map(([k2, v]) => [k2, percentile(v, 50)]),
      ) as Record<string, number>,
      workers,
      priorMaxAgeMs,
      frames: warm.length,
      trackedPaths: paths,
      // Resident memory of this whole process (bench models and earlier pipelines included).
      processRssMb: Math.round(Math.max(...mem.map((m) => m.rss)) / 1e6),
    };
  }

  // Negatives folder (if present): refusals of no-face / several-face pictures (model-independent).
  let negatives: { total: number; refused: number; codes: Record<string, number> } | undefined;
  try {
    const negFiles = await listImages(join(dataDir, '_negatives'));
    negatives = { total: 0, refused: 0, codes: {} };
    for (const f of negFiles) {
      const fr = await decodeImageFile(f, { width: 640, height: 480, noUpscale: true });
      if (fr.kind !== 'frame') continue;
      const loc = await analyzer.locate(fr, {
        inputSizes: det.inputSizes,
        scoreThreshold: det.scoreThreshold,
        minScore: q.minScore,
      });
      const d = checkDetections(loc.faces, fr.width, fr.height, q);
      const code = 'issue' in d ? d.issue.code : 'PASSED';
      negatives.total++;
      negatives.codes[code] = (negatives.codes[code] ?? 0) + 1;
      if (code !== 'PASSED') negatives.refused++;
    }
  } catch {
    negatives = undefined;
  }

  if (args.dump) {
    const dump: FaceDump = {
      data: dataDir,
      k,
      gates: gateRecords,
      models: Object.fromEntries(
        runs.map((r) => [
          r.kind,
          {
            modelId: r.desc.modelId,
            dim: r.desc.dim,
            samples: r.samples.map((s) => ({
              identity: s.identity,
              n: s.n,
              ok: s.ok,
              skipped: s.skipped,
              vector: Array.from(s.vector),
              mirrored: Array.from(s.mirrored ?? s.vector),
            })),
          },
        ]),
      ),
    };
    writeFileSync(args.dump, JSON.stringify(dump));
    log(`descriptors written to ${args.dump}`);
  }
  for (const r of runs) r.desc.dispose();

  // The headline figures the issue asks for at the top level: the default model if it ran, else the
  // first one; its shipped operating point; the plain chain of the same run.
  const headKind = (perModel[DEFAULT_DESCRIPTOR] ? DEFAULT_DESCRIPTOR : runs[0]?.kind) as string;
  const head = perModel[headKind] as Record<string, number> | undefined;
  const headLatency = latency[headKind] as Record<string, number> | undefined;
  const result = {
    model: headKind,
    openSetFalseAcceptRate: head?.openSetFalseAcceptRate ?? null,
    correctAcceptRate: head?.correctAcceptRate ?? null,
    strangerProbes: head?.strangerProbes ?? null,
    genuineProbes: head?.genuineProbes ?? null,
    search50kMs: head?.search50kMs ?? null,
    decisionP50Ms: headLatency?.decisionP50Ms ?? null,
    decisionP95Ms: headLatency?.decisionP95Ms ?? null,
    sequenceP50Ms: headLatency?.sequenceP50Ms ?? null,
    baselineDecisionP50Ms: headLatency?.baselineDecisionP50Ms ?? null,
    baselineOpenSetFalseAcceptRate: baselineResult?.openSetFalseAcceptRate ?? null,
    baselineCorrectAcceptRate: baselineResult?.correctAcceptRate ?? null,
    data: dataDir,
    images: items.length,
    identities: identities.size,
    backend: analyzer.backend,
    detection: {
      detected,
      detectionSkipped: skipped,
      undescribed,
      gatePassed: okCount,
      refusals,
    },
    models: perModel,
    baseline: baselineResult,
    latency,
    negatives,
    defaultModel: DEFAULT_DESCRIPTOR,
    recognizerRules: { agreeFrames: DEFAULT_RECOGNIZER.agreeFrames, enrollImages: k },
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
  };

  // ---------- Report ----------
  const col = (s: string) => s.padEnd(34);
  log('');
  log(
    `detection: ${detected}/${items.length} found by the detector` +
      (skipped > 0
        ? args['skip-detection']
          ? `; detector not run (--skip-detection): all ${skipped} measured with DETECTION SKIPPED (landmarks on the whole picture)`
          : `; ${skipped} not found (tight crops?): measured with DETECTION SKIPPED (landmarks on the whole picture)`
        : '') +
      (undescribed > 0 ? `; ${undescribed} not described` : ''),
  );
  if (skipped > 0 && args.verbose) log(`  detection skipped: ${skippedList.join(', ')}`);
  log(`gates passed: ${okCount}/${items.length}  ${JSON.stringify(result.detection.refusals)}`);
  if (args.verbose) {
    for (const g of gateRecords.filter((x) => x.refused)) {
      const r = g.refused as QualityIssue;
      log(
        `  refused ${g.identity}/${g.n + 1}: ${r.code} ${r.value?.toFixed(3) ?? ''} (limit ${r.limit ?? '-'}); ` +
          `yaw ${g.yaw.toFixed(2)} pitch ${g.pitch.toFixed(2)} roll ${g.rollDeg.toFixed(1)} ` +
          `luma ${g.brightness.toFixed(0)} sharpness ${g.sharpness.toFixed(1)} chip scale ${g.scale.toFixed(2)}`,
      );
    }
  }
  log('');
  log(`${''.padEnd(26)}${summaries.map((s) => col(s.kind)).join('')}`);
  const row = (label: string, f: (s: (typeof summaries)[number]) => string) =>
    log(`${label.padEnd(26)}${summaries.map((s) => col(f(s))).join('')}`);
  row('dim', (s) => `${(perModel[s.kind] as { dim: number }).dim}`);
  row('EER (all described)', (s) => `${pct(s.ver.eer)} (d ${s.ver.eerThreshold.toFixed(3)})`);
  row('TAR @FAR 1% / 0.1%', (s) => `${pct(s.ver.tarAtFar1)} / ${pct(s.ver.tarAtFar01)}`);
  row('  pairs', (s) => `${s.ver.genuinePairs} / ${s.ver.impostorPairs}`);
  if (skipped > 0 && detected > 0) {
    row('EER / TAR@0.1%, detected', (s) => `${pct(s.verDetected.eer)} / ${pct(s.verDetected.tarAtFar01)}`);
  }
  row('rank-1, 1 / 3 images', (s) => `${pct(s.r1)} / ${pct(s.r3)}`);
  row('operating point', (s) => `d < ${s.op.threshold}, margin ${s.op.margin}`);
  row(
    'correct accepts',
    (s) =>
      `${pct(s.os.correctAccepts / Math.max(1, s.os.genuineProbes))} (${s.os.correctAccepts}/${s.os.genuineProbes})`,
  );
  row(
    '  of gate-passing',
    (s) =>
      `${pct(s.os.correctAccepts / Math.max(1, s.os.genuineProbes - s.os.gateRefused))} (${s.os.correctAccepts}/${s.os.genuineProbes - s.os.gateRefused})`,
  );
  row('  wrong person accepted', (s) => `${s.os.wrongAccepts}`);
  row(
    'open-set false accepts',
    (s) =>
      `${pct(s.os.falseAccepts / Math.max(1, s.os.strangerProbes))} (${s.os.falseAccepts}/${s.os.strangerProbes})`,
  );
  row(
    'gates ignored: correct',
    (s) =>
      `${pct(s.osNoGates.correctAccepts / Math.max(1, s.osNoGates.genuineProbes))} (${s.osNoGates.correctAccepts}/${s.osNoGates.genuineProbes})`,
  );
  row(
    '  false accepts',
    (s) =>
      `${pct(s.osNoGates.falseAccepts / Math.max(1, s.osNoGates.strangerProbes))} (${s.osNoGates.falseAccepts}/${s.osNoGates.strangerProbes})`,
  );
  row('embedding p50 / p95', (s) => `${ms(s.embedP50)} / ${ms(s.embedP95)}`);
  row('  vs face-api (p50)', (s) =>
    Number.isFinite(faceapiEmbedP50) ? `${(s.embedP50 / faceapiEmbedP50).toFixed(2)}x` : '-',
  );
  row('1:N over 50,000 (p50)', (s) => ms(s.search50k));
  for (const [kind, l] of Object.entries(latency)) {
    const n = (k2: string) => l[k2] as number;
    const x = (k2: string) => (baseline ? ` (${n(k2).toFixed(2)}x)` : '');
    log(
      `decision latency ${kind} (${n('workers')} worker(s), place prior ${n('priorMaxAgeMs') ? 'on' : 'off'}): ` +
        `tracked p50/p95 ${ms(n('decisionP50Ms'))}${x('trackedVsBaseline')} / ${ms(n('decisionP95Ms'))}, ` +
        `new person's first frame ${ms(n('newFaceP50Ms'))}${x('newFaceVsBaseline')} ${JSON.stringify(l.newFacePaths)}, ` +
        `cold (nothing known) ${ms(n('decisionColdP50Ms'))}${x('coldVsBaseline')} / ${ms(n('decisionColdP95Ms'))}, ` +
        `kiosk sequence (${n('sequenceFrames')} frames) p50 ${ms(n('sequenceP50Ms'))}${x('sequenceVsBaseline')}, ` +
        (baseline
          ? `median per picture of its own frames / its plain chain: tracked ${n('trackedVsBaselinePaired').toFixed(2)}x, sequence ${n('sequenceVsBaselinePaired').toFixed(2)}x, `
          : '') +
        `mean ${ms(n('sequenceMeanMs'))}` +
        (baseline
          ? `; plain chain ${ms(n('baselineDecisionP50Ms'))} / ${ms(n('baselineDecisionP95Ms'))} (its detector ${ms(n('baselineDetectP50Ms'))})`
          : ''),
    );
    const st = l.coldStagesP50Ms as Record<string, number>;
    log(
      `  cold stages p50: detect ${ms(st.detect ?? Number.NaN)}, landmarks ${ms(st.landmarks ?? Number.NaN)}, ` +
        `align ${ms(st.align ?? Number.NaN)}, descriptor ${ms(st.descriptor ?? Number.NaN)}, search ${ms(st.search ?? Number.NaN)}; ` +
        `processing time to the first "recognized" p50 ${ms(n('toRecognitionP50Ms'))} (${n('notRecognized')} sequences without, ${n('wrongRecognized')} wrong person); ` +
        `descriptor vs pass 1 (first frames by path; tracked frames as <path>@tracked), p50 / max ${JSON.stringify(l.descriptorDeviationP50)} / ${JSON.stringify(l.descriptorDeviationMax)}; ` +
        `open set by path (correct/genuine, false accepts/strangers; @tracked: the sequence's last frame on that path) ${JSON.stringify(l.openSetByPath)}; ` +
        `shift residual p50 / max ${n('shiftResidualP50').toFixed(3)} / ${n('shiftResidualMax').toFixed(3)}` +
        `  [${l.frames} tracked frames, ${JSON.stringify(l.trackedPaths)}, process RSS ${l.processRssMb} MB]`,
    );
  }
  if (baselineResult) {
    log(
      `plain face-api chain: detection ${pct(baselineResult.detectionRate ?? 0)}, EER ${pct(baselineResult.eer ?? 0)}, ` +
        `TAR@0.1% ${pct(baselineResult.tarAtFar01 ?? 0)}, open set at d < 0.6 (1 image): correct ${pct(baselineResult.correctAcceptRate ?? 0)}, ` +
        `false accepts ${pct(baselineResult.openSetFalseAcceptRate ?? 0)} (${baselineResult.falseAccepts}/${baselineResult.strangerProbes})`,
    );
  }
  if (negatives) {
    log(`_negatives refused      ${negatives.refused}/${negatives.total} ${JSON.stringify(negatives.codes)}`);
  }
  log(`memory (bench process RSS, all models loaded) ${result.rssMb} MB`);
  if (args.json) console.log(JSON.stringify(result));
}

/** 1:N search over 50,000 templates of this dimension (real descriptors plus noise), p50 in ms. */
function searchBench(dim: number, samples: readonly Sample[], queries: number): number {
  const big = new Gallery('bench', dim, 50_000);
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff - 0.5;
  };
  const real = samples.map((s) => s.vector);
  const noise = 0.08 * Math.sqrt(128 / dim);
  for (let i = 0; i < 50_000; i++) {
    const base = real[i % Math.max(1, real.length)];
    const v = new Float32Array(dim).map((_, j) => (base ? (base[j] as number) : 0) + noise * rnd());
    big.add({ personId: `p${i % 25_000}`, modelId: 'bench', vector: v });
  }
  const times: number[] = [];
  for (let qi = 0; qi < queries + 50; qi++) {
    const query = real[qi % Math.max(1, real.length)] ?? new Float32Array(dim).fill(1 / Math.sqrt(dim));
    const s0 = performance.now();
    big.search(query, 'bench');
    if (qi >= 50) times.push(performance.now() - s0);
  }
  return percentile(times, 50);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
