import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARCFACE_112, dlibTemplate } from '../../face/align.ts';
import { type EnrollmentRecord, rederiveTemplates } from '../../face/descriptor-migrate.ts';
import { DESCRIPTOR_MODELS, type DescriptorKind } from '../../face/descriptor-models.ts';
import { imageRefusal } from '../../face/frames/image-header.ts';
import { decodeImageFile } from '../../face/frames/index.ts';
import type { FacePipeline } from '../../face/pipeline.ts';
import { modelWeightsHash } from '../../face/tf-backend.ts';
import type { FaceEnroller } from './face-engine.port.ts';

/** Enrollment photos are shrunk to this long side while decoding: a face needs far fewer pixels. */
const ENROLL_MAX_SIDE = 2048;

/**
 * A shipped model's id as its descriptor will report it (descriptor-arcface.ts, descriptor-faceapi.ts),
 * from the files on disk without loading the model: announcements name a site's model before any
 * enrollment loads it. Checked against the loaded engines in test/e2e/face-model-switch.test.ts.
 */
export function shippedModelId(kind: DescriptorKind): string {
  const f = DESCRIPTOR_MODELS[kind].file;
  if (f) return `${f.net}@${f.source}#${f.sha256.slice(0, 8)}/${ARCFACE_112.id}`;
  const pkg = createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json');
  const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  return `faceapi-resnet128@${version}#${modelWeightsHash('faceRecognitionNet')}/${dlibTemplate(150, 0.25).id}`;
}

/**
 * Enrollment on the server with the kiosk's own face pipeline, so a template is made exactly as
 * the kiosk will compare it (same model, alignment and quality gates). One pipeline per descriptor
 * model in use (each ~150 MB with its models), loaded on first use and released when no site uses
 * its model any more; one operation at a time across them (the engines track state between frames,
 * and two models' inference at once would only compete for the same cores).
 */
export class PipelineEnroller implements FaceEnroller {
  private readonly pipelines = new Map<DescriptorKind, Promise<FacePipeline>>();
  private readonly ids = new Map<DescriptorKind, string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly create: (kind: DescriptorKind) => Promise<FacePipeline>) {}

  modelIdOf(kind: DescriptorKind): string {
    let id = this.ids.get(kind);
    if (id === undefined) {
      id = shippedModelId(kind);
      this.ids.set(kind, id);
    }
    return id;
  }

  /** Loaded models (tests, status). */
  get loaded(): DescriptorKind[] {
    return [...this.pipelines.keys()];
  }

  private get(kind: DescriptorKind): Promise<FacePipeline> {
    let p = this.pipelines.get(kind);
    if (!p) {
      p = this.create(kind).then((pipeline) => {
        this.ids.set(kind, pipeline.engine.modelId);
        return pipeline;
      });
      p.catch(() => this.pipelines.delete(kind));
      this.pipelines.set(kind, p);
    }
    return p;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  enroll(
    kind: DescriptorKind,
    personId: string,
    photos: readonly Buffer[],
    opts: { keepCrops?: boolean } = {},
  ) {
    return this.serial(() => this.enrollNow(kind, personId, photos, opts.keepCrops ?? false));
  }

  rederive(kind: DescriptorKind, records: EnrollmentRecord[]) {
    return this.serial(async () => rederiveTemplates((await this.get(kind)).engine, records));
  }

  release(keep: ReadonlySet<DescriptorKind>): Promise<void> {
    return this.serial(async () => {
      for (const [kind, p] of [...this.pipelines]) {
        if (keep.has(kind)) continue;
        this.pipelines.delete(kind);
        await (await p.catch(() => undefined))?.close();
      }
    });
  }

  private async enrollNow(kind: DescriptorKind, personId: string, photos: readonly Buffer[], keep: boolean) {
    const p = await this.get(kind);
    const dir = await mkdtemp(join(tmpdir(), 'att-enroll-'));
    const refused: Array<{ index: number; code: string; message: string }> = [];
    const frames = [];
    const indexOf: number[] = [];
    try {
      for (let i = 0; i < photos.length; i++) {
        // Checked from the header before any decoder allocates the picture (#12).
        const tooMuch = imageRefusal(photos[i] as Buffer);
        if (tooMuch) {
          refused.push({ index: i, ...tooMuch });
          continue;
        }
        const file = join(dir, `${i}.img`);
        await writeFile(file, photos[i] as Buffer, { mode: 0o600 });
        const f = await decodeImageFile(file, { index: i, maxSide: ENROLL_MAX_SIDE });
        if (f.kind === 'error') {
          refused.push({
            index: i,
            code: 'CORRUPT_IMAGE',
            message: 'Foto tidak terbaca / Unreadable image',
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
    return {
      ...(r.template ? { descriptor: r.template.vector } : {}),
      modelId: p.engine.modelId,
      used: r.used,
      refused,
      // Only what the site allows is handed on; the rest is dropped here.
      crops: keep && r.template ? r.crops : [],
    };
  }

  async close(): Promise<void> {
    await this.release(new Set());
  }
}
