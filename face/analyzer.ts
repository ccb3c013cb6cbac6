/**
 * The tensor-side work of the face engine, runnable in any thread (the engine runs it in worker
 * threads). Three steps, so the engine can spread them over two workers:
 *  - locate: tiny face detector on the frame, then 68 landmarks on the dominant face's box crop;
 *  - embed: alignment to the descriptor's template (plain JS), crop statistics, descriptor.
 */

import { alignFace, type Box, cropRgb, type KeptFace, keepFace, QUALITY_TEMPLATE } from './align.ts';
import type { Descriptor, DescriptorInfo } from './descriptor.ts';
import { describeDescriptor, mirrorFace } from './descriptor.ts';
import { createDescriptor, DEFAULT_DESCRIPTOR, type DescriptorKind } from './descriptor-models.ts';
import type { Frame } from './frames/types.ts';
import { type CropStats, cropStats, type ScoredBox } from './quality.ts';
import { type BackendName, type FaceApiRuntime, loadFaceApi, type NetName } from './tf-backend.ts';

export type FrameData = Pick<Frame, 'data' | 'width' | 'height'>;
/** 'locate': detector + landmarks. 'embed': descriptor. */
export type AnalyzerRole = 'locate' | 'embed';

export interface AnalyzerOptions {
  backend?: 'auto' | 'wasm';
  /** Descriptor model (descriptor-models.ts). Default: DEFAULT_DESCRIPTOR. */
  descriptor?: DescriptorKind;
  /** face-api only: side of the aligned dlib chip. Default 150, what the model was trained on. */
  chipSize?: number;
}

export interface EmbedOptions {
  /** Return the aligned crop fed to the descriptor. */
  returnCrop?: boolean;
  /** Also compute the descriptor of the mirrored face. */
  mirror?: boolean;
  /** Return the model-neutral enrollment crop (align.ts KEEP_TEMPLATE) with its landmarks. */
  keep?: boolean;
}

export interface LocateOptions {
  /** Detector input sizes tried in order until a face is found (multiples of 32). */
  inputSizes: number[];
  scoreThreshold: number;
  /** Stop trying input sizes once a face at least this confident is found. */
  minScore: number;
  /** Tracked face: skip the detector, run the landmark net on this box only. */
  box?: Box;
  /** Detector on this part of the frame only (boxes are returned in frame pixels). */
  region?: Box;
  /** The detector only: the caller already knows the face's landmarks. */
  skipLandmarks?: boolean;
}

export interface LocateResult {
  /** Every face above the score threshold, largest first. */
  faces: ScoredBox[];
  /** Detector input size that found them (the last one tried if none). */
  inputSize: number;
  /** False when the detector was skipped (landmarks on a given box). */
  detected: boolean;
  /** The detector looked only here (`LocateOptions.region`). */
  region?: Box;
  /** 68 landmarks of the largest face with score >= minScore, frame pixels, [x0, y0, ...]. */
  landmarks?: Float32Array;
  ms: { detect: number; landmarks: number };
}

export interface EmbedResult {
  descriptor: Float32Array;
  /** Descriptor of the mirrored face, when asked for. */
  mirrored?: Float32Array;
  stats: CropStats;
  crop?: Uint8Array;
  kept?: KeptFace;
  ms: { align: number; descriptor: number };
}

export class FaceAnalyzer {
  private constructor(
    readonly rt: FaceApiRuntime,
    readonly roles: AnalyzerRole[],
    private readonly descriptor: Descriptor | undefined,
  ) {}

  static async create(roles: AnalyzerRole[], opts: AnalyzerOptions = {}): Promise<FaceAnalyzer> {
    const nets: NetName[] = [];
    if (roles.includes('locate')) nets.push('tinyFaceDetector', 'faceLandmark68Net');
    const rt = await loadFaceApi({ prefer: opts.backend ?? 'auto', nets });
    const descriptor = roles.includes('embed')
      ? await createDescriptor(opts.descriptor ?? DEFAULT_DESCRIPTOR, {
          prefer: opts.backend ?? 'auto',
          ...(opts.chipSize !== undefined ? { chipSize: opts.chipSize } : {}),
        })
      : undefined;
    return new FaceAnalyzer(rt, roles, descriptor);
  }

  get backend(): BackendName {
    return this.rt.backend;
  }

  get descriptorInfo(): DescriptorInfo | undefined {
    return this.descriptor ? describeDescriptor(this.descriptor) : undefined;
  }

  /** All faces found by the tiny detector at one input size (multiple of 32). */
  async detect(frame: FrameData, inputSize: number, scoreThreshold: number): Promise<ScoredBox[]> {
    const { tf, faceapi } = this.rt;
    const t = tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32');
    try {
      const dets = await faceapi.nets.tinyFaceDetector.locateFaces(
        t as unknown as Parameters<typeof faceapi.nets.tinyFaceDetector.locateFaces>[0],
        new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold }),
      );
      return dets
        .map((d) => ({ x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height, score: d.score }))
        .sort((a, b) => b.width - a.width);
    } finally {
      t.dispose();
    }
  }

  /** 68 landmarks from the landmark net run on the box crop only, in frame pixels. */
  async landmarks(frame: FrameData, box: Box): Promise<Float32Array> {
    const { tf, faceapi } = this.rt;
    const crop = cropRgb(frame, box);
    const ct = tf.tensor3d(crop.data, [crop.height, crop.width, 3], 'int32');
    try {
      const lm = await faceapi.nets.faceLandmark68Net.detectLandmarks(
        ct as unknown as Parameters<typeof faceapi.nets.faceLandmark68Net.detectLandmarks>[0],
      );
      const one = Array.isArray(lm) ? lm[0] : lm;
      if (!one) throw new Error('landmark net returned nothing');
      const out = new Float32Array(136);
      one.positions.forEach((p, i) => {
        out[2 * i] = p.x + crop.x;
        out[2 * i + 1] = p.y + crop.y;
      });
      return out;
    } finally {
      ct.dispose();
    }
  }

  /**
   * Detector (input sizes tried in order) and landmarks of the largest confident face; or, given
   * `box`, landmarks on that box only.
   */
  async locate(frame: FrameData, opts: LocateOptions): Promise<LocateResult> {
    const t0 = performance.now();
    if (opts.box) {
      const landmarks = await this.landmarks(frame, opts.box);
      const ms = { detect: 0, landmarks: performance.now() - t0 };
      return { faces: [], inputSize: 0, detected: false, landmarks, ms };
    }
    let faces: ScoredBox[] = [];
    let inputSize = opts.inputSizes[0] ?? 224;
    const part = opts.region ? cropRgb(frame, opts.region) : undefined;
    for (const size of opts.inputSizes) {
      inputSize = size;
      faces = await this.detect(part ?? frame, size, opts.scoreThreshold);
      if (faces.some((f) => f.score >= opts.minScore)) break;
    }
    if (part) faces = faces.map((f) => ({ ...f, x: f.x + part.x, y: f.y + part.y }));
    const t1 = performance.now();
    const first = faces.find((f) => f.score >= opts.minScore);
    const landmarks = first && !opts.skipLandmarks ? await this.landmarks(frame, first) : undefined;
    const ms = { detect: t1 - t0, landmarks: performance.now() - t1 };
    const region = part ? { x: part.x, y: part.y, width: part.width, height: part.height } : undefined;
    return {
      faces,
      inputSize,
      detected: true,
      ...(landmarks ? { landmarks } : {}),
      ...(region ? { region } : {}),
      ms,
    };
  }

  /**
   * Aligns the face given by its landmarks to the descriptor's template, measures the crop (on
   * the fixed QUALITY_TEMPLATE chip, so the gates do not depend on the model) and computes the
   * descriptor.
   */
  async embed(frame: FrameData, landmarks: ArrayLike<number>, opts: EmbedOptions = {}): Promise<EmbedResult> {
    if (!this.descriptor) throw new Error('analyzer was not created with the embed role');
    return embedFace(this.descriptor, frame, landmarks, opts);
  }

  /** Runs every net once on a synthetic frame so the first real frame does not pay for WASM warm-up. */
  async warmUp(rounds = 2): Promise<void> {
    const w = 640;
    const h = 480;
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251;
    const frame = { data, width: w, height: h };
    const lm = new Float32Array(136);
    for (let i = 0; i < 68; i++) {
      lm[2 * i] = 260 + (i % 10) * 12;
      lm[2 * i + 1] = 160 + Math.floor(i / 10) * 20;
    }
    for (let r = 0; r < rounds; r++) {
      if (this.roles.includes('locate')) {
        for (const s of [160, 224, 320]) await this.detect(frame, s, 0.5);
        await this.landmarks(frame, { x: 240, y: 140, width: 160, height: 180 });
      }
      if (this.roles.includes('embed')) await this.embed(frame, lm);
    }
  }

  /** Releases the descriptor's weights. */
  dispose(): void {
    this.descriptor?.dispose();
  }
}

/**
 * Aligns the face given by its 68 landmarks to `desc`'s template, measures the crop on the fixed
 * QUALITY_TEMPLATE chip (so the gates do not depend on the model) and computes the descriptor.
 */
export async function embedFace(
  desc: Descriptor,
  frame: FrameData,
  landmarks: ArrayLike<number>,
  opts: EmbedOptions = {},
): Promise<EmbedResult> {
  const { returnCrop = false, mirror = false, keep = false } = opts;
  const t0 = performance.now();
  const aligned = alignFace(frame, landmarks, desc.alignment);
  const chip =
    desc.alignment.id === QUALITY_TEMPLATE.id ? aligned : alignFace(frame, landmarks, QUALITY_TEMPLATE);
  const stats = cropStats(chip.data, chip.size);
  const kept = keep ? keepFace(frame, landmarks) : undefined;
  const t1 = performance.now();
  const descriptor = await desc.compute(aligned);
  const mirrored = mirror ? await desc.compute(mirrorFace(aligned)) : undefined;
  const ms = { align: t1 - t0, descriptor: performance.now() - t1 };
  return {
    descriptor,
    stats,
    ms,
    ...(mirrored ? { mirrored } : {}),
    ...(returnCrop ? { crop: aligned.data } : {}),
    ...(kept ? { kept } : {}),
  };
}
