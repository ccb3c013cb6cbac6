import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { euclidean } from '../../face/descriptor.ts';
import { type EnrollmentRecord, rederiveTemplates } from '../../face/descriptor-migrate.ts';
import { recognizerConfigFor } from '../../face/descriptor-models.ts';
import { decodeImageFile, type Frame } from '../../face/frames/index.ts';
import { ModelMismatchError, type Template } from '../../face/gallery.ts';
import { FacePipeline } from '../../face/pipeline.ts';
import { judgeMatch } from '../../face/recognizer.ts';
import { DEV_ASIA, faceDataMissing } from '../support/faces.ts';
import { skipNotice } from '../support/skip-notice.ts';

/** Enrolled from photos 1-3, probed with the others. */
const PEOPLE: Record<string, number[]> = {
  wen_jiabao: [4, 6],
  junichiro_koizumi: [5],
  kpop_seulgi: [5],
};
const STRANGER = ['mahathir_mohamad', 1] as const;

const frames = new Map<string, Frame>();
/** Decodes every photo the tests use, in parallel (one ffmpeg each). */
async function decodeAll(): Promise<void> {
  const wanted = [
    ...Object.entries(PEOPLE).flatMap(([id, probes]) => [1, 2, 3, ...probes].map((n) => [id, n] as const)),
    STRANGER,
  ];
  await Promise.all(
    wanted.map(async ([id, n]) => {
      const f = await decodeImageFile(join(DEV_ASIA, id, `${n}.jpg`), {
        width: 640,
        height: 480,
        noUpscale: true,
      });
      if (f.kind !== 'frame') throw new Error(`${id}/${n}: ${f.message}`);
      frames.set(`${id}/${n}`, f);
    }),
  );
}
const frameOf = (id: string, n: number): Frame => {
  const f = frames.get(`${id}/${n}`);
  if (!f) throw new Error(`${id}/${n} not decoded`);
  return f;
};

describe('switching a site to another descriptor model', skipNotice(faceDataMissing('dev-asia')), () => {
  let oldSite: FacePipeline;
  let newSite: FacePipeline;
  const records: EnrollmentRecord[] = [];

  beforeAll(async () => {
    const engine = { workers: 1 as const, warmUp: false };
    [oldSite, newSite] = await Promise.all([
      FacePipeline.create({ engine: { ...engine, descriptor: 'faceapi' } }),
      FacePipeline.create({ engine: { ...engine, descriptor: 'mfn512' } }),
      decodeAll(),
    ]);
    for (const id of Object.keys(PEOPLE)) {
      const r = await oldSite.enroll(
        id,
        [1, 2, 3].map((n) => frameOf(id, n)),
      );
      expect(r.used, id).toBeGreaterThan(0);
      expect(r.crops).toHaveLength(r.used);
      records.push({
        personId: id,
        modelId: oldSite.engine.modelId,
        vector: r.template?.vector,
        crops: r.crops,
      });
    }
    // Enrolled before crops were kept (or on a backend that does not keep them).
    const legacy = records[0] as EnrollmentRecord;
    records.push({ personId: 'legacy_employee', modelId: legacy.modelId, vector: legacy.vector });
  });

  afterAll(async () => {
    await Promise.all([oldSite?.close(), newSite?.close()]);
  });

  it('the two models never meet: the new gallery refuses old templates and old queries', async () => {
    expect(oldSite.engine.modelId).toMatch(/^faceapi-resnet128@/);
    expect(newSite.engine.modelId).toMatch(/^mobilefacenet512@/);
    const old = records[0] as EnrollmentRecord;
    const oldTemplate: Template = {
      personId: old.personId,
      modelId: old.modelId,
      vector: old.vector as Float32Array,
    };
    expect(() => newSite.gallery.add(oldTemplate)).toThrow(ModelMismatchError);
    expect(() => newSite.gallery.search(oldTemplate.vector, oldTemplate.modelId)).toThrow(ModelMismatchError);
    // A pipeline cannot be built on a gallery of the other model.
    expect(() => new FacePipeline(newSite.engine, oldSite.gallery)).toThrow(
      /gallery holds 'faceapi-resnet128@/,
    );
    expect(newSite.gallery.size).toBe(0);
  });

  it('templates re-derived from the kept crops recognise the enrolled people; no crops: re-enroll, with the reason', async () => {
    const r = await rederiveTemplates(newSite.engine, records);
    expect(r.modelId).toBe(newSite.engine.modelId);
    expect(r.rederived.sort()).toEqual(Object.keys(PEOPLE).sort());
    expect(r.unchanged).toEqual([]);
    expect(r.reEnroll).toHaveLength(1);
    expect(r.reEnroll[0]).toMatchObject({ personId: 'legacy_employee', code: 'NO_CROPS' });
    expect(r.reEnroll[0]?.message).toContain('Perlu pendaftaran wajah ulang');
    expect(r.reEnroll[0]?.message).toContain(oldSite.engine.modelId);
    expect(r.reEnroll[0]?.message).toContain(newSite.engine.modelId);
    expect(newSite.gallery.addAll(r.templates)).toEqual({ added: Object.keys(PEOPLE).length, skipped: 0 });

    const op = recognizerConfigFor(newSite.engine.modelId);
    const seen: string[] = [];
    for (const [id, probes] of Object.entries(PEOPLE)) {
      for (const n of probes) {
        newSite.engine.resetTracking();
        const a = await newSite.engine.analyze(frameOf(id, n));
        expect(a.ok, `${id}/${n} passes the gates`).toBe(true);
        const v = judgeMatch(newSite.gallery.search(a.descriptor as Float32Array, a.modelId), op);
        seen.push(`${id}/${n}: ${v.kind === 'match' ? v.personId : v.reason}`);
      }
    }
    expect(seen).toEqual(
      Object.entries(PEOPLE).flatMap(([id, probes]) => probes.map((n) => `${id}/${n}: ${id}`)),
    );
    // A stranger stays unknown.
    newSite.engine.resetTracking();
    const s = await newSite.engine.analyze(frameOf(...STRANGER));
    expect(judgeMatch(newSite.gallery.search(s.descriptor as Float32Array, s.modelId), op).kind).toBe(
      'unknown',
    );
  });

  it('a re-derived template is close to one enrolled directly with the new model', async () => {
    const r = await rederiveTemplates(newSite.engine, records.slice(0, 1));
    const t = r.templates[0] as Template;
    const e = await newSite.enroll(
      t.personId,
      [1, 2, 3].map((n) => frameOf(t.personId, n)),
      false,
    );
    // Double resampling (kept crop, then the model's crop) moves the template a little (0.03-0.05 measured), far less
    // than the 1.03 threshold.
    expect(euclidean(t.vector, (e.template as Template).vector)).toBeLessThan(0.15);
    // Templates already of the new model are carried over unchanged.
    const again = await rederiveTemplates(newSite.engine, r.templates);
    expect(again.unchanged).toEqual([t.personId]);
    expect(again.rederived).toEqual([]);
  });
});
