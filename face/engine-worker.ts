/**
 * Worker thread of the face engine: owns a FaceAnalyzer (its own tfjs/WASM instance) and serves
 * locate / embed requests one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type AnalyzerOptions, type AnalyzerRole, FaceAnalyzer, type LocateOptions } from './analyzer.ts';
import type { DescriptorInfo } from './descriptor.ts';

export interface WorkerInit {
  roles: AnalyzerRole[];
  analyzer: AnalyzerOptions;
  warmUp: boolean;
}

export interface FrameMsg {
  data: Uint8Array;
  width: number;
  height: number;
}

export type WorkerRequest =
  | { id: number; op: 'locate'; frame: FrameMsg; opts: LocateOptions }
  | {
      id: number;
      op: 'embed';
      frame: FrameMsg;
      landmarks: Float32Array;
      returnCrop: boolean;
      mirror?: boolean;
      keep?: boolean;
    }
  | { id: number; op: 'memory' };

export type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };

export type WorkerHello =
  | {
      type: 'ready';
      backend: string;
      descriptor: DescriptorInfo | undefined;
      initMs: number;
    }
  | { type: 'failed'; error: string };

const port = parentPort;
if (!port) throw new Error('engine-worker must run in a worker thread');

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const t0 = performance.now();
  let analyzer: FaceAnalyzer;
  try {
    analyzer = await FaceAnalyzer.create(init.roles, init.analyzer);
    if (init.warmUp) await analyzer.warmUp();
  } catch (e) {
    port?.postMessage({ type: 'failed', error: (e as Error).stack ?? String(e) });
    return;
  }
  port?.postMessage({
    type: 'ready',
    backend: analyzer.backend,
    descriptor: analyzer.descriptorInfo,
    initMs: performance.now() - t0,
  });
  let chain: Promise<void> = Promise.resolve();
  port?.on('message', (req: WorkerRequest) => {
    chain = chain.then(() => serve(analyzer, req));
  });
}

async function serve(analyzer: FaceAnalyzer, req: WorkerRequest): Promise<void> {
  try {
    let result: unknown;
    if (req.op === 'locate') result = await analyzer.locate(req.frame, req.opts);
    else if (req.op === 'embed') {
      result = await analyzer.embed(req.frame, req.landmarks, {
        returnCrop: req.returnCrop,
        mirror: req.mirror ?? false,
        keep: req.keep ?? false,
      });
    } else result = { rss: process.memoryUsage().rss, tensors: analyzer.rt.tf.memory().numTensors };
    port?.postMessage({ id: req.id, ok: true, result } satisfies WorkerReply);
  } catch (e) {
    port?.postMessage({ id: req.id, ok: false, error: (e as Error).message } satisfies WorkerReply);
  }
}

void main();
