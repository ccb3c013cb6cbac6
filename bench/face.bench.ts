/**
 * Face benchmark: our pipeline against the plain face-api chain, in the same run.
 *
 *   npm run bench:face -- --data ../shared/faces/dev [--json] [--workers 1|2] [--limit N]
 *
 * --data is a folder laid out as <identity>/<n>.jpg (folders starting with "_" are ignored). Every
 * picture becomes a 640x480 frame (letterboxed on grey, never enlarged), the same frame for both
 * pipelines. With --json the last line is one JSON object (rates as fractions, times in ms).
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { euclidean } from '../terminal/face/descriptor.ts';
import { Gallery, meanTemplate } from '../terminal/face/gallery.ts';
import { FacePipeline } from '../terminal/face/pipeline.ts';
import { DEFAULT_RECOGNIZER, judgeMatch } from '../terminal/face/recognizer.ts';
import { loadFaceApi } from '../terminal/face/tf-backend.ts';
import { decodeImageFile, type Frame, listImages } from '../terminal/frames/index.ts';
import {
  openSet,
  percentile,
  rank1,
  type Sample,
  type VerificationStats,
  verification,
} from './face-metrics.ts';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/faces/dev' },
    json: { type: 'boolean', default: false },
    workers: { type: 'string', default: '2' },
    limit: { type: 'string' },
    'search-queries': { type: 'string', default: '300' },
    verbose: { type: 'boolean', default: false },
  },
});

const log = (s: string) => {
  if (!args.json) console.log(s);
  else process.stderr.write(`${s}\n`);
};
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const ms = (x: number) => `${x.toFixed(1)} ms`;

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

function fmtVerification(v: VerificationStats): string {
  return (
    `EER ${pct(v.eer)} (at ${v.eerThreshold.toFixed(3)}), TAR ${pct(v.tarAtFar1)} @FAR 1%, ` +
    `${pct(v.tarAtFar01)} @FAR 0.1%  [${v.genuinePairs} genuine / ${v.impostorPairs} impostor pairs]`
  );
}

async function main(): Promise<void> {
  const dataDir = resolve(args.data as string);
  const limit = args.limit !== undefined ? Number(args.limit) : undefined;
  log(`data: ${dataDir}`);
  const { items, decodeErrors } = await loadData(dataDir, limit);
  const identities = new Set(items.map((i) => i.identity));
  log(`${items.length} images of ${identities.size} identities (${decodeErrors.length} undecodable)`);
  for (const e of decodeErrors) log(`  undecodable: ${e}`);

  // ---------- Plain face-api chain, main thread ----------
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
  // Warm the main-thread WASM up the same way the engine's workers are.
  for (const it of items.slice(0, 3)) await plainChain(it.frame);

  // ---------- Our pipeline ----------
  const workers = Number(args.workers) === 1 ? 1 : 2;
  const t0 = performance.now();
  const pipeline = await FacePipeline.create({ engine: { workers } });
  const engine = pipeline.engine;
  log(
    `engine: backend ${engine.info.backend}, ${engine.info.workers} worker(s), model ${engine.modelId}, ` +
      `ready in ${ms(performance.now() - t0)}`,
  );

  // ---------- Pass 1: descriptors (each picture alone, nothing tracked) ----------
  const plainSamples: Sample[] = [];
  const oursAll: Sample[] = [];
  const oursOk: (Sample & { item: Item })[] = [];
  const oursRefused: { identity: string; n: number; code: string }[] = [];
  const plainMissed: { identity: string; n: number }[] = [];
  let oursDetected = 0;
  const mirroredOf = new Map<string, Float32Array>();
  for (const it of items) {
    const pd = await plainChain(it.frame);
    if (pd) plainSamples.push({ identity: it.identity, n: it.n, vector: pd });
    else plainMissed.push({ identity: it.identity, n: it.n });
    engine.resetTracking();
    const a = await engine.analyze({ ...it.frame, ts: 0 }, { ignoreGates: true, mirror: true });
    if (a.landmarks) oursDetected++;
    if (a.descriptor) oursAll.push({ identity: it.identity, n: it.n, vector: a.descriptor });
    if (a.ok && a.descriptor) {
      oursOk.push({ identity: it.identity, n: it.n, vector: a.descriptor, item: it });
      if (a.mirrored) mirroredOf.set(`${it.identity}/${it.n}`, a.mirrored);
    } else oursRefused.push({ identity: it.identity, n: it.n, code: a.issue?.code ?? 'NO_FACE' });
  }
  const refusalCounts: Record<string, number> = {};
  for (const r of oursRefused) refusalCounts[r.code] = (refusalCounts[r.code] ?? 0) + 1;

  // ---------- Accuracy ----------
  const plainVer = verification(plainSamples, euclidean);
  const oursVer = verification(oursAll, euclidean);
  const plainR1 = rank1(plainSamples, 1, euclidean);
  const plainR3 = rank1(plainSamples, 3, euclidean);
  const oursR1 = rank1(oursAll, 1, euclidean);
  const oursR3 = rank1(oursAll, 3, euclidean);

  // Baseline open set: first detected picture enrolled, nearest template below 0.6 (FaceMatcher).
  const plainOpen = openSet(plainSamples, plainMissed, 1, { threshold: 0.6, margin: 0 }, euclidean);
  const baselineFA = plainOpen.falseAccepts / Math.max(1, plainOpen.strangerProbes - plainMissed.length);
  const baselineCA = plainOpen.correctAccepts / Math.max(1, plainOpen.genuineProbes);

  // Ours, as shipped: mean template of the first 3 pictures that pass the gates, threshold + margin.
  const op = DEFAULT_RECOGNIZER;
  const k = pipeline.enrollImagesCount;
  const byId = new Map<string, Item[]>();
  for (const it of items) byId.set(it.identity, [...(byId.get(it.identity) ?? []), it]);
  const okById = new Map<string, Sample[]>();
  for (const s of oursOk) okById.set(s.identity, [...(okById.get(s.identity) ?? []), s]);
  const templates = new Map<string, ReturnType<typeof meanTemplate>>();
  const enrolledN = new Map<string, Set<number>>();
  for (const [id, list] of okById) {
    const use = list.slice(0, k);
    // As FacePipeline.enroll: mean of the pictures' and their mirrored faces' descriptors.
    const vectors = use.flatMap((s) => [s.vector, mirroredOf.get(`${s.identity}/${s.n}`) ?? s.vector]);
    templates.set(id, meanTemplate(id, engine.modelId, vectors));
    enrolledN.set(id, new Set(use.map((s) => s.n)));
  }
  const galleryWithout = (exclude?: string) => {
    const g = new Gallery(engine.modelId, engine.info.descriptor.dim);
    for (const [id, t] of templates) if (id !== exclude) g.add(t);
    return g;
  };
  const full = galleryWithout();
  let genuineProbes = 0;
  let gateRefusedProbes = 0;
  let correct = 0;
  let wrong = 0;
  const okByKey = new Map(oursOk.map((s) => [`${s.identity}/${s.n}`, s]));
  for (const [id, list] of byId) {
    if (!templates.has(id)) continue;
    for (const it of list) {
      if (enrolledN.get(id)?.has(it.n)) continue;
      genuineProbes++;
      const s = okByKey.get(`${id}/${it.n}`);
      if (!s) {
        // Refused by a gate: not accepted.
        gateRefusedProbes++;
        if (args.verbose)
          log(
            `  missed ${id}/${it.n + 1}: refused ${oursRefused.find((r) => r.identity === id && r.n === it.n)?.code}`,
          );
        continue;
      }
      const v = judgeMatch(full.search(s.vector, engine.modelId), op);
      if (v.kind === 'match' && v.personId === id) correct++;
      else if (v.kind === 'match') wrong++;
      if (args.verbose && !(v.kind === 'match' && v.personId === id)) {
        log(`  missed ${id}/${it.n + 1}: ${JSON.stringify(v)}`);
      }
    }
  }
  let strangerProbes = 0;
  let falseAccepts = 0;
  for (const id of byId.keys()) {
    const g = galleryWithout(id);
    for (const s of okById.get(id) ?? []) {
      strangerProbes++;
      const v = judgeMatch(g.search(s.vector, engine.modelId), op);
      if (v.kind === 'match') {
        falseAccepts++;
        if (args.verbose) log(`  false accept ${id}/${s.n + 1} as ${JSON.stringify(v)}`);
      }
    }
  }
  const openSetFalseAcceptRate = falseAccepts / Math.max(1, strangerProbes);
  const correctAcceptRate = correct / Math.max(1, genuineProbes);

  // ---------- Pass 2: decision latency on 640x480 frames, both pipelines interleaved ----------
  for (const t of templates.values()) pipeline.gallery.add(t);
  const plainGallery = new faceapi.FaceMatcher(
    [...new Map(plainSamples.map((s) => [s.identity, s])).values()].map(
      (s) => new faceapi.LabeledFaceDescriptors(s.identity, [s.vector]),
    ),
    0.6,
  );
  const latPlain: number[] = [];
  const latCold: number[] = [];
  const latWarm: number[] = [];
  const paths: Record<string, number> = {};
  const timed = items.filter((it) => okByKey.has(`${it.identity}/${it.n}`));
  for (const it of timed) {
    const p0 = performance.now();
    const d = await plainChain(it.frame);
    if (d) plainGallery.findBestMatch(d);
    latPlain.push(performance.now() - p0);
    engine.resetTracking();
    pipeline.recognizer.reset();
    const cold = await pipeline.process({ ...it.frame, ts: 0 });
    latCold.push(cold.ms);
    // The next camera frames of the same person standing still: the picture moved by a pixel or
    // two with sensor noise, so the face is tracked (the detector runs on every third frame).
    for (const [i, ts] of [100, 200, 300].entries()) {
      const warm = await pipeline.process({ ...jitter(it.frame, i + 1), ts });
      latWarm.push(warm.ms);
      const key = `${warm.analysis.path}${warm.analysis.detected ? '+detector' : ''}`;
      paths[key] = (paths[key] ?? 0) + 1;
    }
  }

  // ---------- 1:N search over 50,000 templates ----------
  const dim = engine.info.descriptor.dim;
  const big = new Gallery('bench', dim, 50_000);
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff - 0.5;
  };
  const real = oursAll.map((s) => s.vector);
  for (let i = 0; i < 50_000; i++) {
    // Real descriptors with noise where available, so distances look like a real site's.
    const base = real[i % Math.max(1, real.length)];
    const v = new Float32Array(dim).map((_, j) => (base ? (base[j] as number) : 0) + 0.08 * rnd());
    big.add({ personId: `p${i % 25_000}`, modelId: 'bench', vector: v });
  }
  const queries = Number(args['search-queries']);
  const searchTimes: number[] = [];
  for (let q = 0; q < queries + 50; q++) {
    const query = real[q % Math.max(1, real.length)] ?? new Float32Array(dim).fill(1 / Math.sqrt(dim));
    const s0 = performance.now();
    big.search(query, 'bench');
    if (q >= 50) searchTimes.push(performance.now() - s0);
  }

  // Negatives folder (if present): refusals of no-face / several-face pictures.
  let negatives: { total: number; refused: number; codes: Record<string, number> } | undefined;
  try {
    const negFiles = await listImages(join(dataDir, '_negatives'));
    negatives = { total: 0, refused: 0, codes: {} };
    for (const f of negFiles) {
      const fr = await decodeImageFile(f, { width: 640, height: 480, noUpscale: true });
      if (fr.kind !== 'frame') continue;
      engine.resetTracking();
      const a = await engine.analyze(fr);
      negatives.total++;
      const code = a.issue?.code ?? 'PASSED';
      negatives.codes[code] = (negatives.codes[code] ?? 0) + 1;
      if (!a.ok) negatives.refused++;
    }
  } catch {
    negatives = undefined;
  }
  const mem = await engine.memory();
  await pipeline.close();

  const result = {
    data: dataDir,
    images: items.length,
    identities: identities.size,
    backend: engine.info.backend,
    workers: engine.info.workers,
    modelId: engine.modelId,
    operatingPoint: {
      threshold: op.threshold,
      margin: op.margin,
      enrollImages: k,
      agreeFrames: op.agreeFrames,
    },
    detectionRate: oursDetected / items.length,
    gatePassRate: oursOk.length / items.length,
    refusals: refusalCounts,
    baselineDetectionRate: plainSamples.length / items.length,
    eer: oursVer.eer,
    tarAtFar1: oursVer.tarAtFar1,
    tarAtFar01: oursVer.tarAtFar01,
    genuinePairs: oursVer.genuinePairs,
    impostorPairs: oursVer.impostorPairs,
    baselineEer: plainVer.eer,
    baselineTarAtFar1: plainVer.tarAtFar1,
    baselineTarAtFar01: plainVer.tarAtFar01,
    baselineGenuinePairs: plainVer.genuinePairs,
    baselineImpostorPairs: plainVer.impostorPairs,
    rank1With1: oursR1.rate,
    rank1With3: oursR3.rate,
    baselineRank1With1: plainR1.rate,
    baselineRank1With3: plainR3.rate,
    openSetFalseAcceptRate,
    falseAccepts,
    strangerProbes,
    correctAcceptRate,
    correctAccepts: correct,
    /** Correct accepts among genuine probes that passed the quality gates (a kiosk would ask the others to adjust). */
    correctAcceptRateGated: correct / Math.max(1, genuineProbes - gateRefusedProbes),
    wrongAccepts: wrong,
    genuineProbes,
    baselineOpenSetFalseAcceptRate: baselineFA,
    baselineFalseAccepts: plainOpen.falseAccepts,
    baselineStrangerProbes: plainOpen.strangerProbes - plainMissed.length,
    baselineCorrectAcceptRate: baselineCA,
    baselineGenuineProbes: plainOpen.genuineProbes,
    decisionP50Ms: percentile(latWarm, 50),
    decisionP95Ms: percentile(latWarm, 95),
    decisionColdP50Ms: percentile(latCold, 50),
    decisionColdP95Ms: percentile(latCold, 95),
    baselineDecisionP50Ms: percentile(latPlain, 50),
    baselineDecisionP95Ms: percentile(latPlain, 95),
    latencyFrames: latWarm.length,
    trackedPaths: paths,
    search50kMs: percentile(searchTimes, 50),
    search50kP95Ms: percentile(searchTimes, 95),
    negatives,
    rssMb: Math.round((mem[0]?.rss ?? 0) / 1e6),
  };

  log('');
  log(`                        ours                         plain face-api chain`);
  log(
    `detection rate          ${pct(result.detectionRate)} (gates passed ${pct(result.gatePassRate)})   ${pct(result.baselineDetectionRate)}`,
  );
  log(`verification ours       ${fmtVerification(oursVer)}`);
  log(`verification plain      ${fmtVerification(plainVer)}`);
  log(
    `rank-1, 1 / 3 images    ${pct(oursR1.rate)} / ${pct(oursR3.rate)}  [${oursR1.probes} / ${oursR3.probes} probes]` +
      `      ${pct(plainR1.rate)} / ${pct(plainR3.rate)}  [${plainR1.probes} / ${plainR3.probes} probes]`,
  );
  log(
    `open-set false accepts  ${pct(openSetFalseAcceptRate)} (${falseAccepts}/${strangerProbes})` +
      `                  ${pct(baselineFA)} (${result.baselineFalseAccepts}/${result.baselineStrangerProbes})`,
  );
  log(
    `correct accepts         ${pct(correctAcceptRate)} (${correct}/${genuineProbes}, ${wrong} wrong)` +
      `          ${pct(baselineCA)} (${plainOpen.correctAccepts}/${plainOpen.genuineProbes})`,
  );
  log(
    `  of gate-passing      ${pct(result.correctAcceptRateGated)} (${correct}/${genuineProbes - gateRefusedProbes}; ${gateRefusedProbes} refused by gates)`,
  );
  log(
    `  operating point       d < ${op.threshold}, margin ${op.margin}, mean of ${k} enrollment images` +
      `     d < 0.6, 1 enrollment image`,
  );
  log(
    `decision latency p50/p95 tracked ${ms(result.decisionP50Ms)} / ${ms(result.decisionP95Ms)}, ` +
      `cold ${ms(result.decisionColdP50Ms)} / ${ms(result.decisionColdP95Ms)}` +
      `   ${ms(result.baselineDecisionP50Ms)} / ${ms(result.baselineDecisionP95Ms)}  [${latWarm.length} / ${latCold.length} / ${latPlain.length} frames]`,
  );
  log(`  tracked frames        ${JSON.stringify(paths)}`);
  log(`1:N over 50,000         p50 ${ms(result.search50kMs)}, p95 ${ms(result.search50kP95Ms)}`);
  log(`refusals (gates)        ${JSON.stringify(refusalCounts)}`);
  if (negatives)
    log(`_negatives refused      ${negatives.refused}/${negatives.total} ${JSON.stringify(negatives.codes)}`);
  log(`memory (process RSS)    ${result.rssMb} MB`);
  if (args.json) console.log(JSON.stringify(result));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
