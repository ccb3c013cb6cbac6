import type { AlignmentTemplate } from './align.ts';

/** An aligned face crop: packed RGB, size x size, produced with the model's alignment template. */
export interface AlignedFace {
  data: Uint8Array;
  size: number;
}

/**
 * A face descriptor model. Input: a face crop aligned to `alignment` (inputSize x inputSize).
 * Output: an L2-normalised embedding. Two embeddings are comparable only when their `modelId`s
 * are equal: the id names the network, its weights and the alignment, so a template made by
 * another model (or another alignment) is never compared.
 */
export interface Descriptor {
  /** Configuration name of the model (descriptor-models.ts), e.g. 'mfn512' or 'faceapi'. */
  readonly kind: string;
  /**
   * Network, weights and alignment, e.g. "faceapi-resnet128@1.7.15#b413e420/dlib150p0.25" or
   * "mobilefacenet512@faceplugin-face-recognition-js-0.0.1#87aacdfe/arcface112".
   */
  readonly modelId: string;
  readonly dim: number;
  readonly inputSize: number;
  readonly alignment: AlignmentTemplate;
  /** Distance used on the normalised vectors; both orderings agree (d_euclid^2 = 2 - 2 cos). */
  readonly metric: 'euclidean' | 'cosine';
  compute(face: AlignedFace): Promise<Float32Array>;
  dispose(): void;
}

/** Static facts about a descriptor, as sent across the worker boundary. */
export interface DescriptorInfo {
  kind: string;
  modelId: string;
  dim: number;
  inputSize: number;
  alignment: AlignmentTemplate;
  metric: 'euclidean' | 'cosine';
}

export function describeDescriptor(d: Descriptor): DescriptorInfo {
  return {
    kind: d.kind,
    modelId: d.modelId,
    dim: d.dim,
    inputSize: d.inputSize,
    alignment: d.alignment,
    metric: d.metric,
  };
}

/** In-place L2 normalisation; returns the same array. */
export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] as number) * (v[i] as number);
  const k = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) * k;
  return v;
}

/** Euclidean distance between two (normalised) embeddings. */
export function euclidean(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    s += d * d;
  }
  return Math.sqrt(s);
}

/** The aligned face mirrored left-right (enrollment averages both views: a less noisy template). */
export function mirrorFace(face: AlignedFace): AlignedFace {
  const n = face.size;
  const out = new Uint8Array(face.data.length);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const s = (y * n + (n - 1 - x)) * 3;
      const d = (y * n + x) * 3;
      out[d] = face.data[s] as number;
      out[d + 1] = face.data[s + 1] as number;
      out[d + 2] = face.data[s + 2] as number;
    }
  }
  return { data: out, size: n };
}
