/**
 * The face pipeline end to end on real pictures (the committed fixtures, test/support/face-fixtures.ts):
 * enrollment, 1:N search, the recognizer's agreement and cooldown on videos decoded by ffmpeg, and
 * the engine's tracking paths. Grace and Eileen are enrolled; a stranger is someone not in the
 * gallery at hand.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descriptorKindFromEnv, kindOfModelId } from '../../face/descriptor-models.ts';
import {
  decodeImageFile,
  encodeVideoFromImages,
  type Frame,
  ImageFolderSource,
  VideoFileSource,
} from '../../face/frames/index.ts';
import { Gallery } from '../../face/gallery.ts';
import { FacePipeline, type ProcessResult } from '../../face/pipeline.ts';
import { judgeMatch } from '../../face/recognizer.ts';
import { FacePunchSource } from '../../terminal/face-punch-source.ts';
import { type FixturePerson, type FixturePhotos, fixturePhotos } from '../support/face-fixtures.ts';
import { FFMPEG_MISSING } from '../support/faces.ts';
import { skipNotice } from '../support/skip-notice.ts';

/** FACE_DESCRIPTOR=faceapi npx vitest … runs these tests on another shipped model. */
const KIND = descriptorKindFromEnv(process.env);
const ENROLLED: FixturePerson[] = ['grace', 'eileen'];

async function frameOf(path: string): Promise<Frame> {
  const f = await decodeImageFile(path, { width: 640, height: 480, noUpscale: true });
  if (f.kind !== 'frame') throw new Error(`${path}: ${f.message}`);
  return f;
}

describe('face recognition end to end', skipNotice(FFMPEG_MISSING), () => {
  let tmp: string;
  let pipeline: FacePipeline;
  let f: FixturePhotos;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'face-e2e-'));
    [pipeline, f] = await Promise.all([
      FacePipeline.create({ engine: { warmUp: true, descriptor: KIND } }),
      fixturePhotos(),
    ]);
    for (const id of ENROLLED) {
      const r = await pipeline.enroll(id, await Promise.all(f.enroll[id].map(frameOf)));
      expect(r.used, `${id} enrolled`).toBe(3);
    }
  });

  afterAll(async () => {
    await pipeline?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  async function runVideo(images: string[], name: string, p = pipeline): Promise<ProcessResult[]> {
    const video = join(tmp, name);
    await encodeVideoFromImages(images, video, { secondsPerImage: 0.5, fps: 10 });
    p.recognizer.reset();
    p.engine.resetTracking();
    const out: ProcessResult[] = [];
    for await (const item of new VideoFileSource(video)) {
      if (item.kind !== 'frame') throw new Error(item.message);
      out.push(await p.process(item));
    }
    return out;
  }

  it('status names the model version and the backend', () => {
    const s = pipeline.status();
    // The model FACE_DESCRIPTOR names for this run, else the default (mfn512), with its file hash and alignment.
    expect(kindOfModelId(s.modelId)).toBe(KIND);
    expect(s.modelId).toMatch(/^[a-z0-9-]+@[a-z0-9.-]+#[0-9a-f]{8}\/(arcface112|dlib150p0\.25)$/);
    expect(s.people).toBe(ENROLLED.length);
    expect(['wasm', 'tensorflow']).toContain(s.backend);
  });

  it('an enrolled person (photos not used for enrollment) is recognised exactly once', async () => {
    const results = await runVideo(f.probe.grace, 'grace.mp4');
    expect(results).toHaveLength(15);
    const recognized = results.filter((r) => r.decision.kind === 'recognized');
    expect(recognized).toHaveLength(1);
    expect(recognized[0]?.decision).toMatchObject({ personId: 'grace', frames: 3 });
    // Later frames of the same person fall in the cooldown.
    expect(results.at(-1)?.decision).toMatchObject({ kind: 'cooldown', personId: 'grace' });
    // After the first frame the face is tracked: while the picture stays the landmark net is
    // skipped (shifted), when it changes the landmark net runs on the carried-over box.
    const paths = new Set(results.slice(1).map((r) => r.analysis.path));
    expect(paths.has('shifted')).toBe(true);
    expect([...paths].some((p) => p === 'tracked' || p === 'retracked' || p === 'cold')).toBe(true);
  });

  it('a stranger is never recognised, and is reported unknown', async () => {
    // Eileen, at a kiosk whose gallery holds Grace only.
    const graceOnly = new Gallery(pipeline.engine.modelId, pipeline.engine.info.descriptor.dim);
    const g = (await pipeline.enroll('grace', await Promise.all(f.enroll.grace.map(frameOf)), false))
      .template;
    if (!g) throw new Error('grace not enrolled');
    graceOnly.add(g);
    const results = await runVideo(
      f.probe.eileen,
      'stranger.mp4',
      new FacePipeline(pipeline.engine, graceOnly),
    );
    expect(results.filter((r) => r.decision.kind === 'recognized')).toHaveLength(0);
    expect(results.filter((r) => r.verdict?.kind === 'match')).toHaveLength(0);
    expect(results.some((r) => r.decision.kind === 'unknown')).toBe(true);
  });

  it('no face, several faces and a corrupt file give reasons, not crashes', async () => {
    const corrupt = join(tmp, 'corrupt.jpg');
    await writeFile(corrupt, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]));
    const src = new ImageFolderSource(tmp, {
      files: [f.noFace, corrupt, f.group],
      width: 640,
      height: 480,
      noUpscale: true,
    });
    const seen: string[] = [];
    // Unrelated stills: each looked at cold. (Where the last face was, the engine first looks there
    // alone, and the whole frame only on the next frame: one still would show one face of two.)
    pipeline.engine.resetTracking(true);
    const punches = new FacePunchSource(pipeline, src, (r) => {
      seen.push(r.analysis.issue?.code ?? 'ok');
      pipeline.engine.resetTracking(true);
    });
    const recognitions = [];
    for await (const rec of punches.recognitions()) recognitions.push(rec);
    expect(recognitions).toEqual([]);
    // The corrupt file is skipped by the punch source (the folder source reports it, see frames.test.ts).
    expect(seen).toEqual(['NO_FACE', 'MULTIPLE_FACES']);

    const analysis = await pipeline.engine.analyze(await frameOf(f.group));
    expect(analysis.ok).toBe(false);
    expect(analysis.issue?.message).toBe('Satu orang saja di depan kamera / One person at a time');
  });

  it('a new face where the last one was is found in that region first, as a cold frame would find it', async () => {
    // Both at half size: the region around a face is 2.5 face widths, and a full-size face's region
    // is about the whole frame.
    const a = downscale(await frameOf(f.probe.eileen[0] as string), 2);
    const b = downscale(await frameOf(f.probe.grace[0] as string), 2);
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
      expect(found.best?.personId).toBe('grace');
    }
    // A face elsewhere in the frame is not in that region: found on the whole frame instead.
    engine.resetTracking();
    const moved = await engine.analyze({ ...shiftLeft(b, 190), ts: 2200 });
    expect(moved).toMatchObject({ ok: true, path: 'cold' });
    engine.resetTracking(true);
  });

  it('a face that only moved skips the landmark net, with the descriptor the net would give; another face does not', async () => {
    // Half size, so that a copy of the face fits beside it (the bystander below).
    const a = downscale(await frameOf(f.probe.grace[0] as string), 2);
    const engine = pipeline.engine;
    const detectEvery = engine.config.tracking.detectEvery;
    engine.resetTracking(true);
    let last = await engine.analyze({ ...a, ts: 0 });
    expect(last.path).toBe('cold');
    const seen: { path: string; detected: boolean }[] = [];
    for (let i = 1; i <= 2 * detectEvery; i++) {
      last = await engine.analyze({ ...moved(a, i), ts: 100 * i });
      expect(last.ok).toBe(true);
      seen.push({ path: last.path, detected: last.detected });
    }
    // Every frame shifted, the detector frames too (they run the detector alone, for bystanders).
    expect(seen.every((x) => x.path === 'shifted')).toBe(true);
    expect(seen.some((x) => x.detected)).toBe(true);
    expect(last.shiftResidual).toBeLessThan(engine.config.tracking.shiftMaxResidual);
    // The same frame, landmarks from the net (nothing tracked): about the same descriptor.
    engine.resetTracking(true);
    const net = await engine.analyze({ ...moved(a, 2 * detectEvery), ts: 0 });
    const d = Math.hypot(
      ...(last.descriptor as Float32Array).map((v, i) => v - ((net.descriptor as Float32Array)[i] as number)),
    );
    expect(d).toBeLessThan(0.3);
    expect(pipeline.gallery.search(last.descriptor as Float32Array, engine.modelId).best?.personId).toBe(
      'grace',
    );
    // A bystander appears: the next detector frame sees two faces although the shift still fits.
    engine.resetTracking(true);
    const first = await engine.analyze({ ...a, ts: 0 });
    const box = first.faces[0] as { x: number; y: number; width: number; height: number };
    const withBystander = pasteCopy(a, box);
    const gates: (string | undefined)[] = [];
    for (let i = 1; i <= detectEvery; i++) {
      gates.push((await engine.analyze({ ...withBystander, ts: 100 * i })).issue?.code);
    }
    expect(gates).toContain('MULTIPLE_FACES');
    // As a kiosk with liveness on sets it: the detector and the landmark net on every frame.
    const saved = { ...engine.config.tracking };
    Object.assign(engine.config.tracking, { detectEvery: 1, shiftMaxResidual: 0 });
    try {
      engine.resetTracking(true);
      await engine.analyze({ ...a, ts: 0 });
      for (let i = 1; i <= 3; i++) {
        const r = await engine.analyze({ ...moved(a, i), ts: 100 * i });
        expect(r).toMatchObject({ ok: true, detected: true });
        expect(r.path).not.toBe('shifted');
      }
    } finally {
      Object.assign(engine.config.tracking, saved);
    }
    // Another person steps in 100 ms later: the shift does not explain the face, the net runs.
    const b = await frameOf(f.probe.eileen[1] as string);
    const other = await engine.analyze({ ...b, ts: 100 });
    expect(other.path).not.toBe('shifted');
    expect(other.ok).toBe(true);
    expect(
      judgeMatch(
        pipeline.gallery.search(other.descriptor as Float32Array, engine.modelId),
        pipeline.recognizer.config,
      ),
    ).toMatchObject({ kind: 'match', personId: 'eileen' });
    engine.resetTracking(true);
  });

  it('a small, distant face is refused with "Mendekat ke kamera"', async () => {
    pipeline.engine.resetTracking();
    const near = await frameOf(f.probe.eileen[0] as string);
    const far = downscale(near, 3);
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

/** The picture moved `k` pixels right and down, with a little sensor noise. */
function moved(f: Frame, k: number): Frame {
  const { width: w, height: h } = f;
  const out = new Uint8Array(f.data.length);
  let seed = k * 7919;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (Math.max(0, y - k) * w + Math.max(0, x - k)) * 3;
      for (let c = 0; c < 3; c++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        out[(y * w + x) * 3 + c] = Math.max(
          0,
          Math.min(255, (f.data[s + c] as number) + ((seed >> 16) % 5) - 2),
        );
      }
    }
  }
  return { ...f, data: out };
}

/** A copy of the face in `box` (and a margin) pasted beside it, on whichever side has room. */
function pasteCopy(f: Frame, box: { x: number; y: number; width: number; height: number }): Frame {
  const out = Uint8Array.from(f.data);
  const m = 0.25;
  const x0 = Math.max(0, Math.round(box.x - m * box.width));
  const y0 = Math.max(0, Math.round(box.y - m * box.height));
  const w = Math.min(f.width - x0, Math.round(box.width * (1 + 2 * m)));
  const h = Math.min(f.height - y0, Math.round(box.height * (1 + 2 * m)));
  const to = x0 + w + w <= f.width ? x0 + w : x0 - w;
  if (to < 0) throw new Error('no room beside the face for a bystander');
  for (let y = 0; y < h; y++) {
    const row = (y0 + y) * f.width;
    out.set(f.data.subarray((row + x0) * 3, (row + x0 + w) * 3), (row + to) * 3);
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
