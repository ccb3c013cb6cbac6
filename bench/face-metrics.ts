/** Accuracy metrics for the face benchmark. Pure; distances are "smaller = more similar". */

export interface Sample {
  identity: string;
  /** Position of the image within its identity (enrollment uses the first k usable ones). */
  n: number;
  vector: Float32Array;
}

export type DistanceFn = (a: Float32Array, b: Float32Array) => number;

export interface VerificationStats {
  genuinePairs: number;
  impostorPairs: number;
  eer: number;
  /** Threshold at the EER point. */
  eerThreshold: number;
  tarAtFar1: number;
  tarAtFar01: number;
}

/** All same-identity (genuine) and different-identity (impostor) pair distances. */
export function pairDistances(
  samples: readonly Sample[],
  dist: DistanceFn,
): { genuine: number[]; impostor: number[] } {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      const a = samples[i] as Sample;
      const b = samples[j] as Sample;
      (a.identity === b.identity ? genuine : impostor).push(dist(a.vector, b.vector));
    }
  }
  return { genuine, impostor };
}

/** Fraction of genuine pairs accepted when at most `far` of impostor pairs are (accept: d < t). */
export function tarAtFar(genuine: readonly number[], impostorSorted: readonly number[], far: number): number {
  if (genuine.length === 0) return Number.NaN;
  const k = Math.floor(far * impostorSorted.length);
  const t = impostorSorted[k] ?? Number.POSITIVE_INFINITY;
  return genuine.filter((d) => d < t).length / genuine.length;
}

/** Equal error rate by sweeping every observed distance as a threshold. */
export function equalErrorRate(
  genuine: readonly number[],
  impostor: readonly number[],
): { eer: number; threshold: number } {
  const g = [...genuine].sort((a, b) => a - b);
  const im = [...impostor].sort((a, b) => a - b);
  const cands = [...g, ...im].sort((a, b) => a - b);
  let best = { eer: 1, threshold: 0, gap: 2 };
  let gi = 0;
  let ii = 0;
  for (const t of cands) {
    // accept d <= t
    while (gi < g.length && (g[gi] as number) <= t) gi++;
    while (ii < im.length && (im[ii] as number) <= t) ii++;
    const frr = 1 - gi / g.length;
    const far = ii / im.length;
    const gap = Math.abs(far - frr);
    if (gap < best.gap) best = { eer: (far + frr) / 2, threshold: t, gap };
  }
  return { eer: best.eer, threshold: best.threshold };
}

export function verification(samples: readonly Sample[], dist: DistanceFn): VerificationStats {
  const { genuine, impostor } = pairDistances(samples, dist);
  const imp = [...impostor].sort((a, b) => a - b);
  const e = equalErrorRate(genuine, impostor);
  return {
    genuinePairs: genuine.length,
    impostorPairs: impostor.length,
    eer: e.eer,
    eerThreshold: e.threshold,
    tarAtFar1: tarAtFar(genuine, imp, 0.01),
    tarAtFar01: tarAtFar(genuine, imp, 0.001),
  };
}

export function byIdentity(samples: readonly Sample[]): Map<string, Sample[]> {
  const m = new Map<string, Sample[]>();
  for (const s of samples) {
    const list = m.get(s.identity) ?? [];
    list.push(s);
    m.set(s.identity, list);
  }
  for (const list of m.values()) list.sort((a, b) => a.n - b.n);
  return m;
}

/** Closed-set rank-1: k enrollment images per identity (identities with > k images), the rest probe. */
export function rank1(
  samples: readonly Sample[],
  k: number,
  dist: DistanceFn,
): { rate: number; probes: number; identities: number } {
  const ids = byIdentity(samples);
  const gallery: Sample[] = [];
  const probes: Sample[] = [];
  for (const list of ids.values()) {
    if (list.length <= k) continue;
    gallery.push(...list.slice(0, k));
    probes.push(...list.slice(k));
  }
  let hits = 0;
  for (const p of probes) {
    let best = Number.POSITIVE_INFINITY;
    let who = '';
    for (const g of gallery) {
      const d = dist(p.vector, g.vector);
      if (d < best) {
        best = d;
        who = g.identity;
      }
    }
    if (who === p.identity) hits++;
  }
  return {
    rate: probes.length > 0 ? hits / probes.length : Number.NaN,
    probes: probes.length,
    identities: ids.size,
  };
}

export interface OperatingPoint {
  threshold: number;
  /** Required distance gap to the second-best identity (0 = none). */
  margin: number;
}

/** Best and second-best identity distances (min over each identity's templates). */
export function nearestIdentities(
  probe: Float32Array,
  gallery: readonly Sample[],
  dist: DistanceFn,
  exclude?: string,
): { best?: { identity: string; d: number }; second?: { identity: string; d: number } } {
  const perId = new Map<string, number>();
  for (const g of gallery) {
    if (g.identity === exclude) continue;
    const d = dist(probe, g.vector);
    if (d < (perId.get(g.identity) ?? Number.POSITIVE_INFINITY)) perId.set(g.identity, d);
  }
  const sorted = [...perId.entries()].sort((a, b) => a[1] - b[1]);
  const [b, s] = sorted;
  return {
    ...(b ? { best: { identity: b[0], d: b[1] } } : {}),
    ...(s ? { second: { identity: s[0], d: s[1] } } : {}),
  };
}

export function accepts(r: ReturnType<typeof nearestIdentities>, op: OperatingPoint): string | undefined {
  if (!r.best || r.best.d >= op.threshold) return undefined;
  if (op.margin > 0 && r.second && r.second.d - r.best.d < op.margin) return undefined;
  return r.best.identity;
}

export interface OpenSetResult {
  /** Enrolled-identity probes accepted as the right person. */
  correctAccepts: number;
  /** Enrolled-identity probes accepted as someone else. */
  wrongAccepts: number;
  genuineProbes: number;
  /** Leave-identity-out: probes of a person removed from the gallery that were accepted as anyone. */
  falseAccepts: number;
  strangerProbes: number;
  enrolledIdentities: number;
}

/**
 * Open-set protocol. Gallery: the first k usable images of every identity. Genuine probes: the
 * other images of identities that have more than k. Stranger probes: every image of every
 * identity, searched against the gallery with that identity left out. `failed` lists probes the
 * pipeline refused before matching (no face, gate failure): they count as not accepted, in both.
 */
export function openSet(
  samples: readonly Sample[],
  failedProbes: readonly { identity: string; n: number }[],
  k: number,
  op: OperatingPoint,
  dist: DistanceFn,
): OpenSetResult {
  const ids = byIdentity(samples);
  const gallery: Sample[] = [];
  const genuine: Sample[] = [];
  for (const list of ids.values()) {
    gallery.push(...list.slice(0, k));
    genuine.push(...list.slice(k));
  }
  let correct = 0;
  let wrong = 0;
  for (const p of genuine) {
    const who = accepts(nearestIdentities(p.vector, gallery, dist), op);
    if (who === p.identity) correct++;
    else if (who !== undefined) wrong++;
  }
  let fa = 0;
  for (const p of samples) {
    if (accepts(nearestIdentities(p.vector, gallery, dist, p.identity), op) !== undefined) fa++;
  }
  // Refused probes of identities with more than k usable images would have been genuine probes.
  const failedGenuine = failedProbes.filter((f) => (ids.get(f.identity)?.length ?? 0) > k).length;
  return {
    correctAccepts: correct,
    wrongAccepts: wrong,
    genuineProbes: genuine.length + failedGenuine,
    falseAccepts: fa,
    strangerProbes: samples.length + failedProbes.length,
    enrolledIdentities: ids.size,
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i] as number;
}

/** One picture as described by one model, with the gate verdict of the pipeline (model-independent). */
export interface GatedSample extends Sample {
  /** Descriptor of the mirrored crop (enrollment averages both). */
  mirrored?: Float32Array;
  /** Passed every gate (detection, pose, crop): a kiosk would match this picture. */
  ok: boolean;
}

export interface ShippedOpenSet {
  /** Probes of enrolled identities (not used for enrollment), gate refusals included. */
  genuineProbes: number;
  gateRefused: number;
  correctAccepts: number;
  /** Accepted as another enrolled person. */
  wrongAccepts: number;
  /** Leave-one-identity-out: gate-passing pictures searched without their identity in the gallery. */
  strangerProbes: number;
  falseAccepts: number;
  enrolledIdentities: number;
  /** Distances of genuine probes to their own template and of strangers to their nearest template. */
  misses: { identity: string; n: number; verdict: string }[];
  falseAcceptList: { identity: string; n: number; as: string; distance: number }[];
}

/**
 * Open set as the kiosk runs it: per identity, the first `k` gate-passing pictures are enrolled as
 * one mean template (with their mirrored crops, as FacePipeline.enroll); every other picture of an
 * enrolled identity is a genuine probe (a gate refusal is a failure); every gate-passing picture is
 * also a stranger probe against the gallery without its own identity. Decisions by `judge`
 * (threshold + margin on the gallery's best and second-best identity).
 */
export function shippedOpenSet(
  samples: readonly GatedSample[],
  k: number,
  search: (
    templates: Map<string, Float32Array>,
    probe: Float32Array,
    exclude?: string,
  ) => { kind: 'match'; personId: string; distance: number } | { kind: 'unknown'; reason: string },
  meanOf: (vectors: Float32Array[]) => Float32Array,
): ShippedOpenSet {
  const ids = new Map<string, GatedSample[]>();
  for (const s of samples) ids.set(s.identity, [...(ids.get(s.identity) ?? []), s]);
  for (const list of ids.values()) list.sort((a, b) => a.n - b.n);
  const templates = new Map<string, Float32Array>();
  const enrolled = new Set<string>();
  for (const [id, list] of ids) {
    const use = list.filter((s) => s.ok).slice(0, k);
    if (use.length === 0) continue;
    templates.set(id, meanOf(use.flatMap((s) => [s.vector, s.mirrored ?? s.vector])));
    for (const s of use) enrolled.add(`${id}/${s.n}`);
  }
  const r: ShippedOpenSet = {
    genuineProbes: 0,
    gateRefused: 0,
    correctAccepts: 0,
    wrongAccepts: 0,
    strangerProbes: 0,
    falseAccepts: 0,
    enrolledIdentities: templates.size,
    misses: [],
    falseAcceptList: [],
  };
  for (const [id, list] of ids) {
    if (!templates.has(id)) continue;
    for (const s of list) {
      if (enrolled.has(`${id}/${s.n}`)) continue;
      r.genuineProbes++;
      if (!s.ok) {
        r.gateRefused++;
        r.misses.push({ identity: id, n: s.n, verdict: 'gate' });
        continue;
      }
      const v = search(templates, s.vector);
      if (v.kind === 'match' && v.personId === id) r.correctAccepts++;
      else {
        if (v.kind === 'match') r.wrongAccepts++;
        r.misses.push({ identity: id, n: s.n, verdict: v.kind === 'match' ? `as ${v.personId}` : v.reason });
      }
    }
  }
  for (const s of samples) {
    if (!s.ok) continue;
    r.strangerProbes++;
    const v = search(templates, s.vector, s.identity);
    if (v.kind === 'match') {
      r.falseAccepts++;
      r.falseAcceptList.push({ identity: s.identity, n: s.n, as: v.personId, distance: v.distance });
    }
  }
  return r;
}
