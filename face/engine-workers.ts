/** The engine's worker threads (engine-worker.ts) and request/reply over their message ports. */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerHello, WorkerInit, WorkerReply, WorkerRequest } from './engine-worker.ts';

/** Spawns engine-worker; under tsx (a .ts file) the worker registers tsx's loader first. */
function spawnWorker(init: WorkerInit): Worker {
  const url = new URL(
    import.meta.url.endsWith('.ts') ? './engine-worker.ts' : './engine-worker.js',
    import.meta.url,
  );
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: init });
  const req = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(req.resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
  const code =
    `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); ` +
    `return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { eval: true, workerData: init });
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class WorkerHandle {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private dead: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly hello: Extract<WorkerHello, { type: 'ready' }>,
  ) {
    worker.on('message', (m: WorkerReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    });
    const die = (e: Error) => {
      this.dead ??= e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`face worker exited (${code})`)));
  }

  static start(init: WorkerInit): Promise<WorkerHandle> {
    return new Promise((resolve, reject) => {
      const w = spawnWorker(init);
      const onError = (e: Error) => reject(e);
      const onExit = (code: number) => reject(new Error(`face worker exited during start-up (${code})`));
      w.once('error', onError);
      w.once('exit', onExit);
      w.once('message', (m: WorkerHello) => {
        w.off('error', onError);
        w.off('exit', onExit);
        if (m.type === 'ready') resolve(new WorkerHandle(w, m));
        else {
          void w.terminate();
          reject(new Error(`face worker failed to start: ${m.error}`));
        }
      });
    });
  }

  request<T>(body: RequestBody): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...body, id });
    });
  }

  async close(): Promise<void> {
    this.dead ??= new Error('face engine closed');
    await this.worker.terminate();
  }
}
