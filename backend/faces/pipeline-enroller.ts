import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FacePipeline } from '../../terminal/face/pipeline.ts';
import { decodeImageFile } from '../../terminal/frames/index.ts';
import type { FaceEnroller } from './face-engine.port.ts';

/**
 * Enrollment on the server with the kiosk's own face pipeline, so a template
 * is made exactly as the kiosk will compare it (same model, alignment and
 * quality gates). The pipeline (~150 MB with its models) loads on first use.
 */
export class PipelineEnroller implements FaceEnroller {
  private pipeline: Promise<FacePipeline> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  modelId: string | undefined;

  constructor(private readonly create: () => Promise<FacePipeline>) {}

  private get(): Promise<FacePipeline> {
    this.pipeline ??= this.create().then((p) => {
      this.modelId = p.engine.modelId;
      return p;
    });
    return this.pipeline;
  }

  enroll(personId: string, photos: readonly Buffer[]) {
    // One enrollment at a time: the engine tracks state between frames.
    const run = this.queue.then(() => this.enrollNow(personId, photos));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async enrollNow(personId: string, photos: readonly Buffer[]) {
    const p = await this.get();
    const dir = await mkdtemp(join(tmpdir(), 'att-enroll-'));
    const refused: Array<{ index: number; code: string; message: string }> = [];
    const frames = [];
    const indexOf: number[] = [];
    try {
      for (let i = 0; i < photos.length; i++) {
        const file = join(dir, `${i}.img`);
        await writeFile(file, photos[i] as Buffer, { mode: 0o600 });
        const f = await decodeImageFile(file, { index: i });
        if (f.kind === 'error') {
          refused.push({
            index: i,
            code: 'CORRUPT_IMAGE',
            message: `Foto tidak terbaca / Unreadable image (${f.message})`,
          });
        } else {
          frames.push(f);
          indexOf.push(i);
        }
      }
    } finally {
      // Photos are personal data: never left on disk.
      await rm(dir, { recursive: true, force: true });
    }
    const r = await p.enroll(personId, frames, false);
    for (const x of r.refused) {
      refused.push({
        index: indexOf[x.index] ?? x.index,
        code: x.issue?.code ?? 'NO_FACE',
        message: x.issue?.message ?? 'Wajah tidak ditemukan / No face found',
      });
    }
    refused.sort((a, b) => a.index - b.index);
    return { ...(r.template ? { descriptor: r.template.vector } : {}), used: r.used, refused };
  }

  async close(): Promise<void> {
    if (this.pipeline) await (await this.pipeline).close();
  }
}
