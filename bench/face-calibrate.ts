/**
 * Operating-point calibration from descriptor dumps of `npm run bench:face -- --dump FILE`.
 *
 *   npx tsx bench/face-calibrate.ts --set ../asia.json --check ../dev.json [--model mfn512] [--json]
 *        [--max-fa 0.01] [--gates]
 *
 * For every model in the dumps: the open set exactly as the bench and the kiosk run it (first 3
 * gate-passing pictures of each identity enrolled as one mean template with their mirrored crops;
 * genuine probes: the other pictures, gate refusals counted as failures; strangers: every
 * gate-passing picture against the gallery without its own identity), swept over threshold x margin.
 * The operating point is chosen on --set (faces like the users'): the largest correct-accept rate
 * with open-set false accepts <= --max-fa; among ties, the point farthest inside the feasible region
 * (lowest threshold, then largest margin), as the sets are small. It is then checked on --check.
 * Also reported: the pair-level false-accept rate (impostor pairs below the threshold), a
 * steadier number than open-set counts on ~150 probes.
 *
 * --gates: instead, the quality gates are swept (|yaw|, |roll| and sharpness limits; the other gates
 * as shipped) at each model's shipped operating point, from what the bench measured on every picture
 * (the dump's `gates`): a looser gate lets more pictures be enrolled, probed and used as strangers,
 * so correct accepts and false accepts are both recomputed.
 */
import { parseArgs } from 'node:util';
import { euclidean } from '../face/descriptor.ts';
import { DESCRIPTOR_MODELS, isDescriptorKind } from '../face/descriptor-models.ts';
import { meanTemplate } from '../face/gallery.ts';
import { DEFAULT_QUALITY } from '../face/quality.ts';
import { type DumpSample, type FaceDump, type GateRecord, readFaceDump } from './face-dump.ts';

const { values: args } = parseArgs({
  options: {
    set: { type: 'string' },
    check: { type: 'string' },
    model: { type: 'string' },
    'max-fa': { type: 'string', default: '0.01' },
    json: { type: 'boolean', default: false },
    gates: { type: 'boolean', default: false },
  },
});

interface Probe {
  /** Genuine (own identity enrolled) or stranger (own identity left out). */
  genuine: boolean;
  identity: string;
  /** Refused by a gate: never accepted. */
  refused: boolean;
  best?: { id: string; d: number };
  second?: { id: string; d: number };
}

/** Best and second-best identity for every probe of the open-set protocol (independent of the operating point). */
function probes(samples: DumpSample[], k: number): { list: Probe[]; impostorPairs: number[] } {
  const ids = new Map<string, DumpSample[]>();
  for (const s of samples) ids.set(s.identity, [...(ids.get(s.identity) ?? []), s]);
  for (const l of ids.values()) l.sort((a, b) => a.n - b.n);
  const templates = new Map<string, Float32Array>();
  const enrolled = new Set<string>();
  for (const [id, list] of ids) {
    const use = list.filter((s) => s.ok).slice(0, k);
    if (use.length === 0) continue;
    const vecs = use.flatMap((s) => [Float32Array.from(s.vector), Float32Array.from(s.mirrored)]);
    templates.set(id, meanTemplate(id, 'x', vecs).vector);
    for (const s of use) enrolled.add(`${id}/${s.n}`);
  }
  const nearest = (v: Float32Array, exclude?: string) => {
    const ds = [...templates]
      .filter(([id]) => id !== exclude)
      .map(([id, t]) => ({ id, d: euclidean(v, t) }))
      .sort((a, b) => a.d - b.d);
    return { best: ds[0], second: ds[1] };
  };
  const list: Probe[] = [];
  for (const [id, l] of ids) {
    if (!templates.has(id)) continue;
    for (const s of l) {
      if (enrolled.has(`${id}/${s.n}`)) continue;
      list.push({ genuine: true, identity: id, refused: !s.ok, ...nearest(Float32Array.from(s.vector)) });
    }
  }
  for (const s of samples) {
    if (!s.ok) continue;
    list.push({
      genuine: false,
      identity: s.identity,
      refused: false,
      ...nearest(Float32Array.from(s.vector), s.identity),
    });
  }
  const impostorPairs: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      const a = samples[i] as DumpSample;
      const b = samples[j] as DumpSample;
      if (a.identity !== b.identity) {
        impostorPairs.push(euclidean(Float32Array.from(a.vector), Float32Array.from(b.vector)));
      }
    }
  }
  return { list, impostorPairs };
}

interface Point {
  threshold: number;
  margin: number;
  correct: number;
  genuine: number;
  gated: number;
  falseAccepts: number;
  strangers: number;
  pairFar: number;
}

function evaluate(p: { list: Probe[]; impostorPairs: number[] }, threshold: number, margin: number): Point {
  let correct = 0;
  let genuine = 0;
  let gated = 0;
  let fa = 0;
  let strangers = 0;
  for (const q of p.list) {
    const accepted =
      !q.refused &&
      q.best !== undefined &&
      q.best.d < threshold &&
      (q.second === undefined || q.second.d - q.best.d >= margin);
    if (q.genuine) {
      genuine++;
      if (!q.refused) gated++;
      if (accepted && q.best?.id === q.identity) correct++;
    } else {
      strangers++;
      if (accepted) fa++;
    }
  }
  const pairFar = p.impostorPairs.filter((d) => d < threshold).length / Math.max(1, p.impostorPairs.length);
  return { threshold, margin, correct, genuine, gated, falseAccepts: fa, strangers, pairFar };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const fmt = (r: Point) =>
  `correct ${pct(r.correct / r.genuine)} (${r.correct}/${r.genuine}; ${pct(r.correct / Math.max(1, r.gated))} of ${r.gated} gate-passing), ` +
  `false accepts ${pct(r.falseAccepts / r.strangers)} (${r.falseAccepts}/${r.strangers}), pair FAR ${(100 * r.pairFar).toFixed(2)}%`;

interface GateLimits {
  maxYaw: number;
  maxRollDeg: number;
  minSharpness: number;
}

/** The samples with `ok` recomputed from the gate records under other limits. */
function regate(dump: FaceDump, samples: DumpSample[], g: GateLimits): DumpSample[] {
  const recs = dump.gates;
  if (!recs || recs.length !== samples.length) throw new Error(`${dump.data}: dump has no gate records`);
  const q = DEFAULT_QUALITY;
  return samples.map((s, i) => {
    const r = recs[i] as GateRecord;
    if (r.identity !== s.identity || r.n !== s.n) throw new Error('gate records out of order');
    const ok =
      r.detection === undefined &&
      Math.abs(r.yaw) <= g.maxYaw &&
      r.pitch >= q.pitchRange[0] &&
      r.pitch <= q.pitchRange[1] &&
      Math.abs(r.rollDeg) <= g.maxRollDeg &&
      r.brightness >= q.minBrightness &&
      r.brightness <= q.maxBrightness &&
      r.sharpness >= g.minSharpness;
    return { ...s, ok };
  });
}

function sweepGates(set: FaceDump, check: FaceDump | undefined): void {
  const yaws = [0.7, 0.75, 0.8, 0.85, 0.9, 1.01];
  const rolls = [25, 30, 35];
  const sharps = [15, 12, 10, 8, 5];
  for (const [kind, m] of Object.entries(set.models)) {
    if (args.model && kind !== args.model) continue;
    if (!isDescriptorKind(kind)) continue;
    const op = DESCRIPTOR_MODELS[kind].operatingPoint;
    const cm = check?.models[kind];
    console.log(
      `\n== ${kind} at d < ${op.threshold}, margin ${op.margin}: correct/genuine, false accepts/strangers`,
    );
    console.log(`   set ${set.data}${check ? ` | check ${check.data}` : ''}`);
    console.log(
      `   shipped: maxYaw ${DEFAULT_QUALITY.maxYaw}, maxRollDeg ${DEFAULT_QUALITY.maxRollDeg}, minSharpness ${DEFAULT_QUALITY.minSharpness}`,
    );
    for (const maxRollDeg of rolls) {
      for (const minSharpness of sharps) {
        const cells = yaws.map((maxYaw) => {
          const g = { maxYaw, maxRollDeg, minSharpness };
          const a = evaluate(probes(regate(set, m.samples, g), set.k), op.threshold, op.margin);
          const b =
            check && cm
              ? evaluate(probes(regate(check, cm.samples, g), check.k), op.threshold, op.margin)
              : undefined;
          const f = (r: Point) => `${r.correct}/${r.genuine} ${r.falseAccepts}/${r.strangers}`;
          return `${f(a)}${b ? ` | ${f(b)}` : ''}`.padEnd(b ? 34 : 16);
        });
        if (minSharpness === sharps[0] && maxRollDeg === rolls[0]) {
          console.log(`   roll sharp  ${yaws.map((y) => `yaw <= ${y}`.padEnd(check ? 34 : 16)).join('')}`);
        }
        console.log(`   ${String(maxRollDeg).padEnd(4)} ${String(minSharpness).padEnd(6)} ${cells.join('')}`);
      }
    }
  }
}

function main(): void {
  if (!args.set) throw new Error('--set DUMP is required');
  const set = readFaceDump(args.set);
  const check = args.check ? readFaceDump(args.check) : undefined;
  if (args.gates) {
    sweepGates(set, check);
    return;
  }
  const maxFa = Number(args['max-fa']);
  const out: Record<string, unknown> = {};
  for (const [kind, m] of Object.entries(set.models)) {
    if (args.model && kind !== args.model) continue;
    const ps = probes(m.samples, set.k);
    const pc = check?.models[kind] ? probes(check.models[kind].samples, check.k) : undefined;
    // Threshold grid around the impostor distribution: from its 0.01th to its 10th percentile.
    const imp = [...ps.impostorPairs].sort((a, b) => a - b);
    const lo = Math.floor((imp[Math.floor(imp.length * 0.0001)] ?? 0) * 100) / 100;
    const hi = Math.ceil((imp[Math.floor(imp.length * 0.1)] ?? 1) * 100) / 100;
    const grid: Point[] = [];
    for (let t = lo; t <= hi + 1e-9; t += 0.01) {
      for (let mg = 0; mg <= 0.16 + 1e-9; mg += 0.02) grid.push(evaluate(ps, +t.toFixed(2), +mg.toFixed(2)));
    }
    const feasible = grid.filter((r) => r.falseAccepts / r.strangers <= maxFa);
    const bestCorrect = Math.max(...feasible.map((r) => r.correct));
    const top = feasible.filter((r) => r.correct === bestCorrect);
    // Farthest inside: the middle of the thresholds that reach the best, at the largest margin that keeps it.
    const ts = [...new Set(top.map((r) => r.threshold))].sort((a, b) => a - b);
    const midT = ts[Math.floor((ts.length - 1) / 2)] as number;
    const atMid = top.filter((r) => r.threshold === midT).sort((a, b) => b.margin - a.margin);
    const chosen = atMid[Math.floor((atMid.length - 1) / 2)] as Point;
    const checked = pc ? evaluate(pc, chosen.threshold, chosen.margin) : undefined;
    console.log(`\n== ${kind} (${m.modelId})`);
    console.log(
      `thresholds reaching ${bestCorrect} correct with false accepts <= ${pct(maxFa)} on ${set.data}: ` +
        `${ts[0]}..${ts[ts.length - 1]} (margins ${[...new Set(top.map((r) => r.margin))].join(', ')})`,
    );
    console.log(`chosen  d < ${chosen.threshold}, margin ${chosen.margin}`);
    console.log(`  set   ${fmt(chosen)}`);
    if (checked) console.log(`  check ${fmt(checked)}  (${check?.data})`);
    // A compact grid for the record: margin rows, thresholds around the chosen one.
    const tCols = [-0.06, -0.04, -0.02, 0, 0.02, 0.04, 0.06].map((d) => +(chosen.threshold + d).toFixed(2));
    console.log(
      `  correct / false accepts on set${pc ? ' | check' : ''}, by margin (rows) x threshold (columns)`,
    );
    console.log(`  margin ${tCols.map((t) => `${t}`.padStart(pc ? 15 : 9)).join('')}`);
    for (const mg of [0, 0.02, 0.04, 0.06, 0.08, 0.1]) {
      const cells = tCols.map((t) => {
        const a = evaluate(ps, t, mg);
        const b = pc ? evaluate(pc, t, mg) : undefined;
        const s = `${a.correct}/${a.falseAccepts}${b ? `|${b.correct}/${b.falseAccepts}` : ''}`;
        return s.padStart(pc ? 15 : 9);
      });
      console.log(`  ${mg.toFixed(2).padEnd(6)} ${cells.join('')}`);
    }
    out[kind] = { modelId: m.modelId, chosen, checked };
  }
  if (args.json) console.log(JSON.stringify(out));
}

main();
