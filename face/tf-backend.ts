/**
 * TensorFlow.js backend selection and face-api model loading, for Node.
 *
 * - `@tensorflow/tfjs-node` (native TensorFlow) is used when it can be imported. It is an optional
 *   dependency: nothing here requires it to be installed.
 * - Otherwise the WASM backend. In Node it needs no `setWasmPaths`: its emscripten glue
 *   (`tf-backend-wasm.node.js`, the package's `main`) sets `scriptDirectory = __dirname`, and the
 *   three `.wasm` binaries ship next to it in `node_modules/@tensorflow/tfjs-backend-wasm/dist/`,
 *   read with `fs`. In Node the backend picks the single-threaded SIMD binary (its multithread
 *   flag is hard-wired off for Node), so parallelism comes from our own worker threads.
 * - face-api is loaded from its Node builds (`dist/face-api.node.js` for tfjs-node,
 *   `dist/face-api.node-wasm.js` for WASM), which `require` the same `@tensorflow/tfjs` instance
 *   as the rest of the process. Models are read from the package's `model/` folder with `fs`
 *   (`loadFromDisk`), never fetched.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import type * as FaceApi from '@vladmandic/face-api';

export type FaceApiModule = typeof FaceApi;
export type TfModule = typeof TF;
export type BackendName = 'tensorflow' | 'wasm';
export type NetName = 'tinyFaceDetector' | 'faceLandmark68Net' | 'faceRecognitionNet';

export interface FaceApiRuntime {
  faceapi: FaceApiModule;
  /** The tfjs namespace face-api itself uses (one instance per process/worker). */
  tf: TfModule;
  backend: BackendName;
  modelDir: string;
  faceApiVersion: string;
  tfVersion: string;
  loadedNets: NetName[];
}

export interface LoadFaceApiOptions {
  /** 'auto' (default): tfjs-node if importable, else WASM. */
  prefer?: 'auto' | 'wasm' | 'tensorflow';
  nets?: NetName[];
  /** Defaults to node_modules/@vladmandic/face-api/model. */
  modelDir?: string;
  /** For tests: replaces `import()` of '@tensorflow/tfjs-node'. */
  importTfjsNode?: () => Promise<unknown>;
}

const require = createRequire(import.meta.url);

/** node_modules/@vladmandic/face-api/model, resolved from this file (not from the cwd). */
export function defaultModelDir(): string {
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

/** Tries to import the native backend. Returns false (never throws) when it is not installed or fails to load. */
export async function tfjsNodeAvailable(importer?: () => Promise<unknown>): Promise<boolean> {
  try {
    if (importer) await importer();
    else {
      // A variable specifier keeps TypeScript from requiring the (absent) package's types.
      const spec = '@tensorflow/tfjs-node';
      await import(spec);
    }
    return true;
  } catch {
    return false;
  }
}

let cached: Promise<FaceApiRuntime> | undefined;

/**
 * Loads face-api once per thread on the best available backend and the requested nets from disk.
 * Later calls return the same runtime, loading any further nets asked for.
 */
export async function loadFaceApi(opts: LoadFaceApiOptions = {}): Promise<FaceApiRuntime> {
  cached ??= initRuntime(opts);
  const rt = await cached;
  await loadNets(rt, opts.nets ?? []);
  return rt;
}

async function initRuntime(opts: LoadFaceApiOptions): Promise<FaceApiRuntime> {
  const prefer = opts.prefer ?? 'auto';
  let faceapi: FaceApiModule | undefined;
  let backend: BackendName = 'wasm';
  if (prefer !== 'wasm' && (await tfjsNodeAvailable(opts.importTfjsNode))) {
    try {
      faceapi = require('@vladmandic/face-api/dist/face-api.node.js') as FaceApiModule;
      backend = 'tensorflow';
    } catch {
      faceapi = undefined;
    }
  }
  if (!faceapi && prefer === 'tensorflow') throw new Error('@tensorflow/tfjs-node is not available');
  if (!faceapi) {
    faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiModule;
    backend = 'wasm';
  }
  const tf = faceapi.tf as unknown as TfModule;
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error(`tfjs backend '${backend}' failed to initialise`);
  await tf.ready();
  return {
    faceapi,
    tf,
    backend,
    modelDir: opts.modelDir ?? defaultModelDir(),
    faceApiVersion: faceapi.version,
    tfVersion: tf.version_core,
    loadedNets: [],
  };
}

async function loadNets(rt: FaceApiRuntime, nets: NetName[]): Promise<void> {
  for (const name of nets) {
    if (rt.loadedNets.includes(name)) continue;
    await rt.faceapi.nets[name].loadFromDisk(rt.modelDir);
    rt.loadedNets.push(name);
  }
}

const MODEL_FILES: Record<NetName, string> = {
  tinyFaceDetector: 'tiny_face_detector_model.bin',
  faceLandmark68Net: 'face_landmark_68_model.bin',
  faceRecognitionNet: 'face_recognition_model.bin',
};

/** First 8 hex digits of the SHA-256 of a net's weights file: changes whenever the weights do. */
export function modelWeightsHash(net: NetName, modelDir = defaultModelDir()): string {
  const bytes = readFileSync(join(modelDir, MODEL_FILES[net]));
  return createHash('sha256').update(bytes).digest('hex').slice(0, 8);
}
