/**
 * The face benchmark's accuracy figures from pass 1's descriptors: verification, rank-1 and the
 * open set at each model's shipped operating point, 1:N search time; the plain chain's open set.
 */
import { euclidean } from '../face/descriptor.ts';
import { DESCRIPTOR_MODELS, type DescriptorKind, type OperatingPoint } from '../face/descriptor-models.ts';
import { Gallery, meanTemplate } from '../face/gallery.ts';
import { judgeMatch } from '../face/recognizer.ts';
import type { ModelRun, PassOne } from './face-bench-describe.ts';
import type { Log } from './face-bench-setup.ts';
import {
  openSet,
  percentile,
  rank1,
  type Sample,
  type ShippedOpenSet,
  shippedOpenSet,
  type VerificationStats,
  verification,
} from './face-metrics.ts';

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

const meanOf = (vectors: Float32Array[]) => meanTemplate('x', 'x', vectors).vector;

export interface ModelSummary {
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
}

/** Per model: the summary for the report and its JSON object (`models.<kind>`). */
export function accuracyByModel(
  runs: readonly ModelRun[],
  k: number,
  opts: { searchQueries: number; verbose: boolean; log: Log },
): { summaries: ModelSummary[]; perModel: Record<string, unknown> } {
  const perModel: Record<string, unknown> = {};
  const faceapiRun = runs.find((r) => r.kind === 'faceapi');
  const faceapiEmbedP50 = faceapiRun ? percentile(faceapiRun.embedMs, 50) : Number.NaN;
  const summaries: ModelSummary[] = [];
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
    const search50k = searchBench(r.desc.dim, r.samples, opts.searchQueries);
    const s: ModelSummary = {
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
    if (opts.verbose) {
      for (const m of os.misses) opts.log(`  ${r.kind} missed ${m.identity}/${m.n + 1}: ${m.verdict}`);
      for (const f of os.falseAcceptList) {
        opts.log(`  ${r.kind} false accept ${f.identity}/${f.n + 1} as ${f.as} at ${f.distance.toFixed(3)}`);
      }
    }
  }
  return { summaries, perModel };
}

/** Baseline open set: first detected picture enrolled, nearest template below 0.6 (FaceMatcher). */
export function baselineOpenSet(p: PassOne, images: number): Record<string, number> {
  const { plainSamples, plainMissed } = p;
  const plainVer = verification(plainSamples, euclidean);
  const plainOpen = openSet(plainSamples, plainMissed, 1, { threshold: 0.6, margin: 0 }, euclidean);
  return {
    detectionRate: plainSamples.length / Math.max(1, images),
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
