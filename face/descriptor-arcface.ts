/**
 * ArcFace-style embedding nets (112x112 crops warped to the ArcFace 5-point template) read from a
 * model file kept in the repository (`models/face/...`) and run with tfjs ops on the same backend
 * as face-api (WASM or native), in the calling thread. The file is read with `fs`: nothing is
 * fetched, and its SHA-256 must match the one recorded for it (docs/models/*.md), so a replaced
 * or corrupted file fails loudly instead of producing a different embedding space under the same id.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type * as TF from '@tensorflow/tfjs';
import { type AlignmentTemplate, ARCFACE_112 } from './align.ts';
import { type AlignedFace, type Descriptor, l2normalize } from './descriptor.ts';
import { type Graph, optimizeGraph, TfGraph } from './models/graph.ts';
import { parseOnnx } from './models/onnx.ts';
import { parseTflite } from './models/tflite.ts';
import { loadFaceApi } from './tf-backend.ts';

export interface GraphModelSpec {
  /** Configuration name, e.g. 'mfn512'. */
  kind: string;
  /** Network name in the model id, e.g. 'mobilefacenet512'. */
  net: string;
  /** Absolute path of the model file. */
  file: string;
  format: 'onnx' | 'tflite';
  /** Expected SHA-256 of the file (hex). */
  sha256: string;
  /** Where the file came from, e.g. 'faceplugin-face-recognition-js-0.0.1' (npm package and version). */
  source: string;
  dim: number;
  /** Input normalisation per RGB channel: (pixel - mean) / std. */
  mean: number;
  std: number;
}

export class ModelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFileError';
  }
}

/** Reads, checks and translates a model file (no tensors yet). */
export function readGraphModel(spec: GraphModelSpec): { graph: Graph; sha256: string } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(spec.file);
  } catch (e) {
    throw new ModelFileError(`face model ${spec.kind}: cannot read ${spec.file}: ${(e as Error).message}`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== spec.sha256) {
    throw new ModelFileError(
      `face model ${spec.kind}: ${spec.file} has SHA-256 ${sha256}, expected ${spec.sha256} (see docs/models)`,
    );
  }
  const { graph } = spec.format === 'onnx' ? parseOnnx(bytes) : parseTflite(bytes);
  return { graph: optimizeGraph(graph), sha256 };
}

export class ArcFaceDescriptor implements Descriptor {
  readonly kind: string;
  readonly dim: number;
  readonly inputSize = ARCFACE_112.size;
  readonly alignment: AlignmentTemplate = ARCFACE_112;
  readonly metric = 'cosine' as const;
  readonly modelId: string;

  private constructor(
    private readonly tf: typeof TF,
    private readonly net: TfGraph,
    private readonly spec: GraphModelSpec,
    sha256: string,
  ) {
    this.kind = spec.kind;
    this.dim = spec.dim;
    this.modelId = `${spec.net}@${spec.source}#${sha256.slice(0, 8)}/${ARCFACE_112.id}`;
  }

  /** Loads the model on the thread's tfjs backend (the one face-api uses) and checks its output size. */
  static async create(
    spec: GraphModelSpec,
    opts: { prefer?: 'auto' | 'wasm' } = {},
  ): Promise<ArcFaceDescriptor> {
    const { graph, sha256 } = readGraphModel(spec);
    const rt = await loadFaceApi({ prefer: opts.prefer ?? 'auto', nets: [] });
    const d = new ArcFaceDescriptor(rt.tf, new TfGraph(rt.tf, graph), spec, sha256);
    const probe = await d.compute({ data: new Uint8Array(112 * 112 * 3).fill(128), size: 112 });
    if (probe.length !== spec.dim) {
      d.dispose();
      throw new ModelFileError(
        `face model ${spec.kind}: output has ${probe.length} values, expected ${spec.dim}`,
      );
    }
    return d;
  }

  async compute(face: AlignedFace): Promise<Float32Array> {
    if (face.size !== this.inputSize) throw new Error(`expected ${this.inputSize}px crop, got ${face.size}`);
    const { mean, std } = this.spec;
    const input = new Float32Array(face.data.length);
    const k = 1 / std;
    for (let i = 0; i < input.length; i++) input[i] = ((face.data[i] as number) - mean) * k;
    const x = this.tf.tensor4d(input, [1, face.size, face.size, 3], 'float32');
    let out: TF.Tensor | undefined;
    try {
      out = this.net.run(x);
      const v = (await out.data()) as Float32Array;
      return l2normalize(Float32Array.from(v));
    } finally {
      x.dispose();
      out?.dispose();
    }
  }

  dispose(): void {
    this.net.dispose();
  }
}
