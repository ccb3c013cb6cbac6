/**
 * Face benchmark: every shipped descriptor model side by side in one run, on the same detections
 * and landmarks, plus the plain face-api chain as the historical baseline.
 *
 *   npm run bench:face -- --data ../shared/faces/dev [--models mfn512,mfn192,faceapi] [--json]
 *        [--workers 1|2] [--no-prior] [--limit N] [--latency default|all|none] [--no-baseline] [--dump FILE]
 *        [--sequences default|none] [--seed N] [--sequence-photos N] [--skip-detection] [--verbose]
 *
 * --data is a folder laid out as <identity>/<n>.jpg (folders starting with "_" are ignored). Every
 * picture becomes a 640x480 frame (letterboxed on grey, never enlarged). Pass 1, on this thread
 * (face-bench-describe.ts): the engine's detector (input sizes 224/320/416) and landmark net find
 * the face; where the detector finds none (tight face crops), the landmark net is run on the whole
 * picture instead ("detection skipped", reported as such; --skip-detection does it for every
 * picture); then every model aligns the face to its own template and describes it, the models
 * taking turns picture by picture so machine load hits all alike. The gates (pose, brightness,
 * sharpness on a fixed chip) are the same for every model. Accuracy: face-bench-accuracy.ts.
 * Pass 2 (--latency, face-bench-latency.ts): the real FacePipeline (worker threads; by default as
 * many as the engine would start, so 1 under `taskset -c 0`) per model, decision latency on
 * 640x480 frames: per picture a 10-frame kiosk sequence (a new person's first frame, where the
 * previous face's place is known unless --no-prior, then tracked frames) and the same picture
 * fully cold, each against the plain chain in the same run. Pass 3 (--sequences,
 * face-bench-sequences.ts): time to a recognition (3 agreeing frames) on multi-frame sequences of
 * several photos of a person with motion, blur and noise (face-sequence.ts), the default model's
 * pipeline against the plain chain on the same frames. With --json the last line is one JSON
 * object (rates as fractions, times in ms); --dump writes every descriptor and every picture's
 * gate measurements for bench/face-calibrate.ts (--gates) and bench/face-blur.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaceAnalyzer } from '../face/analyzer.ts';
import { DEFAULT_DESCRIPTOR, type DescriptorKind } from '../face/descriptor-models.ts';
import { DEFAULT_ENGINE_CONFIG } from '../face/engine.ts';
import { decodeImageFile, listImages } from '../face/frames/index.ts';
import { checkDetections, DEFAULT_QUALITY } from '../face/quality.ts';
import { DEFAULT_RECOGNIZER } from '../face/recognizer.ts';
import { accuracyByModel, baselineOpenSet } from './face-bench-accuracy.ts';
import { describeAll, loadModels, loadPlainChain, type ModelRun } from './face-bench-describe.ts';
import { type LatencyResult, latencyForModel } from './face-bench-latency.ts';
import { printReport } from './face-bench-report.ts';
import { type SequenceResult, sequencePass } from './face-bench-sequences.ts';
import { loadData, makeLog, parseFaceBenchArgs } from './face-bench-setup.ts';
import type { FaceDump } from './face-dump.ts';

/** Negatives folder (if present): refusals of no-face / several-face pictures (model-independent). */
async function negativesOf(
  dataDir: string,
  analyzer: FaceAnalyzer,
): Promise<{ total: number; refused: number; codes: Record<string, number> } | undefined> {
  const det = DEFAULT_ENGINE_CONFIG.detector;
  const q = DEFAULT_QUALITY;
  try {
    const negFiles = await listImages(join(dataDir, '_negatives'));
    const negatives = { total: 0, refused: 0, codes: {} as Record<string, number> };
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
    return negatives;
  } catch {
    return undefined;
  }
}

function dumpOf(dataDir: string, k: number, runs: readonly ModelRun[], gates: FaceDump['gates']): FaceDump {
  return {
    data: dataDir,
    k,
    gates,
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
}

async function main(): Promise<void> {
  const args = parseFaceBenchArgs();
  const log = makeLog(args.json);
  const { dataDir, models } = args;
  log(`data: ${dataDir}`);
  const { items, decodeErrors } = await loadData(dataDir, args.limit);
  const identities = new Set(items.map((i) => i.identity));
  log(`${items.length} images of ${identities.size} identities (${decodeErrors.length} undecodable)`);
  for (const e of decodeErrors) log(`  undecodable: ${e}`);
  if (identities.size < 2) {
    console.error(
      `${dataDir}: expected <identity>/<n>.jpg for at least 2 identities, found ${identities.size}`,
    );
    process.exit(2);
  }

  // Models, all on this thread's tfjs backend; the plain face-api chain (baseline) on the same thread.
  const { analyzer, runs } = await loadModels(models, log);
  const chain = await loadPlainChain();
  const plain = args.baseline ? chain : undefined;
  if (plain) for (const it of items.slice(0, 3)) await plain.describe(it.frame);

  const p1 = await describeAll(items, analyzer, runs, plain, args);
  const k = 3;
  const { summaries, perModel } = accuracyByModel(runs, k, { ...args, log });
  const baselineResult = plain ? baselineOpenSet(p1, items.length) : undefined;

  const latencyKinds: DescriptorKind[] =
    args.latency === 'none'
      ? []
      : args.latency === 'all'
        ? models
        : models.filter((m) => m === DEFAULT_DESCRIPTOR).slice(0, 1);
  const latency: Record<string, LatencyResult> = {};
  for (const kind of latencyKinds) {
    const run = runs.find((r) => r.kind === kind) as ModelRun;
    latency[kind] = await latencyForModel(run, items, k, p1, plain, args);
  }

  // The headline model: the default model if it ran, else the first one.
  const headKind = (perModel[DEFAULT_DESCRIPTOR] ? DEFAULT_DESCRIPTOR : runs[0]?.kind) as string;
  const headRun = runs.find((r) => r.kind === headKind);
  let sequences: SequenceResult | undefined;
  if (args.sequences !== 'none' && headRun) {
    sequences = await sequencePass(headRun, items, k, p1, plain, args, log);
  }

  const negatives = await negativesOf(dataDir, analyzer);
  if (args.dump) {
    writeFileSync(args.dump, JSON.stringify(dumpOf(dataDir, k, runs, p1.gateRecords)));
    log(`descriptors written to ${args.dump}`);
  }
  for (const r of runs) r.desc.dispose();

  // The headline figures the issue asks for at the top level: the head model, its shipped
  // operating point; the plain chain of the same run.
  const head = perModel[headKind] as Record<string, number> | undefined;
  const headLatency = latency[headKind] as Record<string, number> | undefined;
  const seqOurs = sequences?.ours as Record<string, number> | undefined;
  const seqBase = sequences?.baseline as Record<string, number> | null | undefined;
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
    // Pass 3: processing time to a recognition on multi-frame sequences, ours and the plain chain.
    toRecognitionP50Ms: seqOurs?.toRecognitionP50Ms ?? null,
    toRecognitionP95Ms: seqOurs?.toRecognitionP95Ms ?? null,
    baselineToRecognitionP50Ms: seqBase?.toRecognitionP50Ms ?? null,
    baselineToRecognitionP95Ms: seqBase?.toRecognitionP95Ms ?? null,
    toRecognitionVsBaseline: (sequences?.toRecognitionVsBaseline as number | undefined) ?? null,
    data: dataDir,
    images: items.length,
    identities: identities.size,
    backend: analyzer.backend,
    detection: {
      detected: p1.detected,
      detectionSkipped: p1.skipped,
      undescribed: p1.undescribed,
      gatePassed: p1.okCount,
      refusals: p1.refusals,
    },
    models: perModel,
    baseline: baselineResult,
    latency,
    sequences,
    negatives,
    defaultModel: DEFAULT_DESCRIPTOR,
    recognizerRules: { agreeFrames: DEFAULT_RECOGNIZER.agreeFrames, enrollImages: k },
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
  };
  printReport(
    {
      args,
      images: items.length,
      p1,
      summaries,
      perModel,
      latency,
      sequences,
      baselineResult,
      negatives,
      rssMb: result.rssMb,
    },
    log,
  );
  if (args.json) console.log(JSON.stringify(result));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
