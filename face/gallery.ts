/**
 * A site's enrolled faces for 1:N search: one flat Float32Array of L2-normalised templates, scanned
 * with a dot-product loop (no per-row objects, no tensor round trip). For unit vectors
 * |a-b|^2 = 2 - 2 a.b, so the largest dot is the nearest template. Where WebAssembly SIMD is
 * available the templates live in the kernel's memory and the dots are computed 8 floats at a
 * time (simd-dots.ts); otherwise a 4-way unrolled JS loop.
 */
import { createSimdDots, type SimdDots } from './simd-dots.ts';

/** An enrolled face. `modelId` must match the gallery's: templates of another model are refused. */
export interface Template {
  personId: string;
  modelId: string;
  vector: Float32Array;
}

export interface SearchHit {
  personId: string;
  /** Euclidean distance between unit vectors (0..2). */
  distance: number;
}

export interface SearchResult {
  /** Nearest identity (its closest template). */
  best?: SearchHit;
  /** Nearest identity other than best's. */
  second?: SearchHit;
  /** Templates compared. */
  scanned: number;
}

export class ModelMismatchError extends Error {
  constructor(expected: string, got: string) {
    super(`template made by model '${got}' cannot be compared with gallery model '${expected}'`);
    this.name = 'ModelMismatchError';
  }
}

export class Gallery {
  private data: Float32Array;
  private owner: Int32Array;
  private count = 0;
  private readonly simd: SimdDots | undefined;
  /** Byte offset of the query in SIMD memory; templates follow it, scores follow the templates. */
  private readonly queryBytes: number;
  private readonly personIds: string[] = [];
  private readonly personIndex = new Map<string, number>();

  constructor(
    readonly modelId: string,
    readonly dim: number,
    initialCapacity = 256,
    useSimd = true,
  ) {
    if (dim <= 0) throw new Error('gallery dimension must be positive');
    const cap = Math.max(16, initialCapacity);
    this.queryBytes = Math.ceil((dim * 4) / 64) * 64;
    this.simd = useSimd && dim % 8 === 0 ? createSimdDots(this.pagesFor(cap)) : undefined;
    this.data = this.simd
      ? new Float32Array(this.simd.memory.buffer, this.queryBytes, cap * dim)
      : new Float32Array(cap * dim);
    this.owner = new Int32Array(cap);
  }

  /** Whether searches use the WebAssembly SIMD kernel. */
  get accelerated(): boolean {
    return this.simd !== undefined;
  }

  private pagesFor(capacity: number): number {
    return Math.ceil((this.queryBytes + capacity * this.dim * 4 + capacity * 4) / 65536);
  }

  /** Templates stored. */
  get size(): number {
    return this.count;
  }

  /** Distinct people with at least one template. */
  get people(): number {
    let n = 0;
    const seen = new Uint8Array(this.personIds.length);
    for (let i = 0; i < this.count; i++) {
      const o = this.owner[i] as number;
      if (!seen[o]) {
        seen[o] = 1;
        n++;
      }
    }
    return n;
  }

  /** Adds one template (normalised on the way in). Throws ModelMismatchError for another model's template. */
  add(t: Template): void {
    if (t.modelId !== this.modelId) throw new ModelMismatchError(this.modelId, t.modelId);
    if (t.vector.length !== this.dim)
      throw new Error(`template has ${t.vector.length} dims, gallery ${this.dim}`);
    if (this.count * this.dim >= this.data.length) this.grow();
    let idx = this.personIndex.get(t.personId);
    if (idx === undefined) {
      idx = this.personIds.length;
      this.personIds.push(t.personId);
      this.personIndex.set(t.personId, idx);
    }
    const off = this.count * this.dim;
    let s = 0;
    for (let i = 0; i < this.dim; i++) s += (t.vector[i] as number) * (t.vector[i] as number);
    const k = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let i = 0; i < this.dim; i++) this.data[off + i] = (t.vector[i] as number) * k;
    this.owner[this.count] = idx;
    this.count++;
  }

  /** Adds the templates of this gallery's model; returns how many were skipped for another model. */
  addAll(templates: Iterable<Template>): { added: number; skipped: number } {
    let added = 0;
    let skipped = 0;
    for (const t of templates) {
      if (t.modelId !== this.modelId) skipped++;
      else {
        this.add(t);
        added++;
      }
    }
    return { added, skipped };
  }

  /** Removes every template of a person; returns how many. */
  removePerson(personId: string): number {
    const idx = this.personIndex.get(personId);
    if (idx === undefined) return 0;
    let w = 0;
    let removed = 0;
    for (let r = 0; r < this.count; r++) {
      if (this.owner[r] === idx) {
        removed++;
        continue;
      }
      if (w !== r) {
        this.data.copyWithin(w * this.dim, r * this.dim, (r + 1) * this.dim);
        this.owner[w] = this.owner[r] as number;
      }
      w++;
    }
    this.count = w;
    return removed;
  }

  /**
   * Nearest and second-nearest identity. The query must come from the same model (pass its
   * modelId: a mismatch throws rather than silently comparing incompatible spaces).
   */
  search(query: Float32Array, queryModelId: string): SearchResult {
    if (queryModelId !== this.modelId) throw new ModelMismatchError(this.modelId, queryModelId);
    if (query.length !== this.dim) throw new Error(`query has ${query.length} dims, gallery ${this.dim}`);
    const n = this.count;
    const owner = this.owner;
    let bestDot = Number.NEGATIVE_INFINITY;
    let bestOwner = -1;
    let secondDot = Number.NEGATIVE_INFINITY;
    let secondOwner = -1;
    const consider = (dot: number, r: number) => {
      if (dot <= secondDot) return;
      const o = owner[r] as number;
      if (dot > bestDot) {
        if (o !== bestOwner) {
          secondDot = bestDot;
          secondOwner = bestOwner;
        }
        bestDot = dot;
        bestOwner = o;
      } else if (o !== bestOwner) {
        secondDot = dot;
        secondOwner = o;
      }
    };
    const scores = this.scores(query);
    for (let r = 0; r < n; r++) {
      const dot = scores[r] as number;
      if (dot > secondDot) consider(dot, r);
    }
    const dist = (dot: number) => Math.sqrt(Math.max(0, 2 - 2 * dot));
    const hit = (o: number, dot: number): SearchHit => ({
      personId: this.personIds[o] as string,
      distance: dist(dot),
    });
    return {
      ...(bestOwner >= 0 ? { best: hit(bestOwner, bestDot) } : {}),
      ...(secondOwner >= 0 ? { second: hit(secondOwner, secondDot) } : {}),
      scanned: n,
    };
  }

  /** Dot product of the query with every stored template. */
  private scores(query: Float32Array): Float32Array {
    const n = this.count;
    const dim = this.dim;
    if (this.simd) {
      const buf = this.simd.memory.buffer;
      new Float32Array(buf, 0, dim).set(query);
      const outBytes = this.queryBytes + this.data.length * 4;
      this.simd.dots(0, this.queryBytes, n, dim, outBytes);
      return new Float32Array(buf, outBytes, n);
    }
    const d = this.data;
    const out = new Float32Array(n);
    const unrolled = dim - (dim % 4);
    for (let r = 0, off = 0; r < n; r++, off += dim) {
      let a = 0;
      let b = 0;
      let c = 0;
      let e = 0;
      let i = 0;
      for (; i < unrolled; i += 4) {
        a += (query[i] as number) * (d[off + i] as number);
        b += (query[i + 1] as number) * (d[off + i + 1] as number);
        c += (query[i + 2] as number) * (d[off + i + 2] as number);
        e += (query[i + 3] as number) * (d[off + i + 3] as number);
      }
      for (; i < dim; i++) a += (query[i] as number) * (d[off + i] as number);
      out[r] = a + b + c + e;
    }
    return out;
  }

  private grow(): void {
    const cap = (this.data.length / this.dim) * 2;
    if (this.simd) {
      const mem = this.simd.memory;
      const need = this.pagesFor(cap) - mem.buffer.byteLength / 65536;
      if (need > 0) mem.grow(need);
      // Same offset, so the templates stay where they are; only the view is renewed.
      this.data = new Float32Array(mem.buffer, this.queryBytes, cap * this.dim);
    } else {
      const data = new Float32Array(cap * this.dim);
      data.set(this.data);
      this.data = data;
    }
    const owner = new Int32Array(cap);
    owner.set(this.owner);
    this.owner = owner;
  }
}

/**
 * One template from several enrollment descriptors of the same person: the normalised mean.
 * Measured on the dev sets, the mean of three is both more accepting of the person and less of
 * strangers than keeping the three separately (see docs/FACE-ENGINE.md).
 */
export function meanTemplate(personId: string, modelId: string, vectors: readonly Float32Array[]): Template {
  const first = vectors[0];
  if (!first) throw new Error('meanTemplate: no descriptors');
  const v = new Float32Array(first.length);
  for (const x of vectors) {
    if (x.length !== v.length) throw new Error('meanTemplate: descriptors differ in length');
    let s = 0;
    for (let i = 0; i < x.length; i++) s += (x[i] as number) * (x[i] as number);
    const k = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let i = 0; i < x.length; i++) v[i] = (v[i] as number) + (x[i] as number) * k;
  }
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] as number) * (v[i] as number);
  const k = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) * k;
  return { personId, modelId, vector: v };
}
