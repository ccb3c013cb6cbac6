import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descriptorKindFromEnv, kindOfModelId } from '../../terminal/face/descriptor-models.ts';
import { FacePipeline, FacePunchSource, type ProcessResult } from '../../terminal/face/pipeline.ts';
import {
  decodeImageFile,
  encodeVideoFromImages,
  type Frame,
  ImageFolderSource,
  VideoFileSource,
} from '../../terminal/frames/index.ts';
import { DEV, hasFfmpeg } from '../support/faces.ts';

const ready = hasFfmpeg && existsSync(DEV);

const ENROLLED = ['colin_powell', 'george_w_bush', 'vladimir_putin', 'donald_rumsfeld', 'john_savage'];
const photo = (id: string, n: number) => join(DEV, id, `${n}.jpg`);

async function frameOf(path: string): Promise<Frame> {
  const f = await decodeImageFile(path, { width: 640, height: 480, noUpscale: true });
  if (f.kind !== 'frame') throw new Error(`${path}: ${f.message}`);
  return f;
}

describe.skipIf(!ready)('face recognition end to end', () => {
  let tmp: string;
  let pipeline: FacePipeline;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'face-e2e-'));
    pipeline = await FacePipeline.create({ engine: { warmUp: true } });
    for (const id of ENROLLED) {
      const frames = await Promise.all([1, 2, 3].map((n) => frameOf(photo(id, n))));
      const r = await pipeline.enroll(id, frames);
      expect(r.used, `${id} enrolled`).toBeGreaterThan(0);
    }
  });

  afterAll(async () => {
    await pipeline?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  async function runVideo(images: string[], name: string): Promise<ProcessResult[]> {
    const video = join(tmp, name);
    await encodeVideoFromImages(images, video, { secondsPerImage: 0.5, fps: 10 });
    pipeline.recognizer.reset();
    pipeline.engine.resetTracking();
    const out: ProcessResult[] = [];
    for await (const item of new VideoFileSource(video)) {
      if (item.kind !== 'frame') throw new Error(item.message);
      out.push(await pipeline.process(item));
    }
    return out;
  }

  it('status names the model version and the backend', () => {
    const s = pipeline.status();
    // The model selected by FACE_DESCRIPTOR, else the default (mfn512), with its file hash and alignment.
    expect(kindOfModelId(s.modelId)).toBe(descriptorKindFromEnv());
    expect(s.modelId).toMatch(/^[a-z0-9-]+@[a-z0-9.-]+#[0-9a-f]{8}\/(arcface112|dlib150p0\.25)$/);
    expect(s.people).toBe(ENROLLED.length);
    expect(['wasm', 'tensorflow']).toContain(s.backend);
  });

  it('an enrolled person (photos not used for enrollment) is recognised exactly once', async () => {
    const results = await runVideo(
      [4, 5, 6].map((n) => photo('colin_powell', n)),
      'colin.mp4',
    );
    expect(results).toHaveLength(15);
    const recognized = results.filter((r) => r.decision.kind === 'recognized');
    expect(recognized).toHaveLength(1);
    expect(recognized[0]?.decision).toMatchObject({ personId: 'colin_powell', frames: 3 });
    // Later frames of the same person fall in the cooldown.
    expect(results.at(-1)?.decision).toMatchObject({ kind: 'cooldown', personId: 'colin_powell' });
    // After the first frame the face is tracked and embedded in parallel with detection.
    expect(results.slice(1).some((r) => r.analysis.path === 'tracked')).toBe(true);
  });

  it('a stranger is never recognised, and is reported unknown', async () => {
    const results = await runVideo(
      [1, 2, 3].map((n) => photo('john_salley', n)),
      'stranger.mp4',
    );
    expect(results.filter((r) => r.decision.kind === 'recognized')).toHaveLength(0);
    expect(results.filter((r) => r.verdict?.kind === 'match')).toHaveLength(0);
    expect(results.some((r) => r.decision.kind === 'unknown')).toBe(true);
  });

  it('no face, several faces and a corrupt file give reasons, not crashes', async () => {
    const corrupt = join(tmp, 'corrupt.jpg');
    await writeFile(corrupt, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]));
    const src = new ImageFolderSource(tmp, {
      files: [
        join(DEV, '_negatives', 'no_face_02.jpg'),
        corrupt,
        join(DEV, '_negatives', 'multi_face_09.jpg'),
      ],
      width: 640,
      height: 480,
      noUpscale: true,
    });
    const seen: string[] = [];
    const punches = new FacePunchSource(pipeline, src, (r) => {
      seen.push(r.analysis.issue?.code ?? 'ok');
      pipeline.engine.resetTracking();
    });
    const recognitions = [];
    for await (const rec of punches.recognitions()) recognitions.push(rec);
    expect(recognitions).toEqual([]);
    // The corrupt file is skipped by the punch source (the folder source reports it, see frames.test.ts).
    expect(seen).toEqual(['NO_FACE', 'MULTIPLE_FACES']);

    const analysis = await pipeline.engine.analyze(
      await frameOf(join(DEV, '_negatives', 'multi_face_09.jpg')),
    );
    expect(analysis.ok).toBe(false);
    expect(analysis.issue?.message).toBe('Satu orang saja di depan kamera / One person at a time');
  });

  it('a new face where the last one was is found in that region first, as a cold frame would find it', async () => {
    const a = await frameOf(photo('george_w_bush', 4));
    const b = await frameOf(photo('vladimir_putin', 4));
    const engine = pipeline.engine;
    engine.resetTracking(true);
    expect((await engine.analyze({ ...a, ts: 0 })).path).toBe('cold');
    // The next person, nothing tracked, 2 s later: the detector looks where the last face was.
    engine.resetTracking();
    const viaPrior = await engine.analyze({ ...b, ts: 2000 });
    expect(viaPrior).toMatchObject({ ok: true, path: 'prior', detected: true });
    // The following frame runs the detector on the whole frame again (bystanders).
    const next = await engine.analyze({ ...b, ts: 2100 });
    expect(next.detected).toBe(true);
    expect(next.path).not.toBe('prior');
    engine.resetTracking(true);
    const cold = await engine.analyze({ ...b, ts: 0 });
    expect(cold).toMatchObject({ ok: true, path: 'cold' });
    const d = Math.hypot(
      ...(viaPrior.descriptor as Float32Array).map(
        (v, i) => v - ((cold.descriptor as Float32Array)[i] as number),
      ),
    );
    expect(d).toBeLessThan(0.3);
    for (const x of [viaPrior, cold]) {
      const found = pipeline.gallery.search(x.descriptor as Float32Array, x.modelId);
      expect(found.best?.personId).toBe('vladimir_putin');
    }
    // A face elsewhere in the frame is not in that region: found on the whole frame instead.
    engine.resetTracking();
    const moved = await engine.analyze({ ...shiftLeft(b, 190), ts: 2200 });
    expect(moved).toMatchObject({ ok: true, path: 'cold' });
    engine.resetTracking(true);
  });

  it('a small, distant face is refused with "Mendekat ke kamera"', async () => {
    pipeline.engine.resetTracking();
    const near = await frameOf(photo('colin_powell', 4));
    const far = downscale(near, 2);
    const a = await pipeline.engine.analyze(far);
    expect(a.ok).toBe(false);
    expect(a.issue).toMatchObject({ code: 'TOO_FAR', message: 'Mendekat ke kamera / Move closer' });
  });
});

/** Nearest-neighbour 1/k downscale, centred on a same-size grey frame: a face k times farther away. */
function downscale(f: Frame, k: number): Frame {
  const w = f.width;
  const h = f.height;
  const out = new Uint8Array(w * h * 3).fill(128);
  const sw = Math.floor(w / k);
  const sh = Math.floor(h / k);
  const ox = Math.floor((w - sw) / 2);
  const oy = Math.floor((h - sh) / 2);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < sw; x++) {
      const s = (y * k * w + x * k) * 3;
      const d = ((oy + y) * w + ox + x) * 3;
      out[d] = f.data[s] as number;
      out[d + 1] = f.data[s + 1] as number;
      out[d + 2] = f.data[s + 2] as number;
    }
  }
  return { ...f, data: out };
}

/** The picture moved `dx` pixels to the left (grey fills the right edge). */
function shiftLeft(f: Frame, dx: number): Frame {
  const out = new Uint8Array(f.data.length).fill(128);
  for (let y = 0; y < f.height; y++) {
    const row = y * f.width * 3;
    out.set(f.data.subarray(row + dx * 3, row + f.width * 3), row);
  }
  return { ...f, data: out };
}
