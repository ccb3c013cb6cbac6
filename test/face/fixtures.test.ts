/**
 * The committed face fixtures (test/support/face-fixtures.ts) do what the tests built on them rely
 * on, with the real engine and every shipped descriptor model: each enrollment and probe picture is
 * found and passes every gate; each person's probes match their own template and not the other's at
 * the model's shipped operating point; with only one person enrolled the other is unknown; the group
 * photo, the blurred picture and the picture without a face are refused for those reasons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESCRIPTOR_KINDS, type DescriptorKind, recognizerConfigFor } from '../../face/descriptor-models.ts';
import { FaceEngine } from '../../face/engine.ts';
import { Gallery, type Template } from '../../face/gallery.ts';
import { FacePipeline } from '../../face/pipeline.ts';
import { judgeMatch } from '../../face/recognizer.ts';
import { frameOf } from '../e2e/face-support.ts';
import { type FixturePerson, type FixturePhotos, fixturePhotos } from '../support/face-fixtures.ts';
import { FFMPEG_MISSING } from '../support/faces.ts';
import { skipNotice } from '../support/skip-notice.ts';

const PEOPLE: FixturePerson[] = ['grace', 'eileen'];
const other = (p: FixturePerson): FixturePerson => (p === 'grace' ? 'eileen' : 'grace');

describe.each(DESCRIPTOR_KINDS)(
  'face fixtures with %s',
  skipNotice(FFMPEG_MISSING),
  (kind: DescriptorKind) => {
    let engine: FaceEngine;
    let photos: FixturePhotos;

    beforeAll(async () => {
      [engine, photos] = await Promise.all([FaceEngine.create({ descriptor: kind }), fixturePhotos()]);
    });
    afterAll(async () => {
      await engine?.close();
    });

    const analyze = async (path: string) => {
      engine.resetTracking(true);
      return engine.analyze(await frameOf(path));
    };

    it('every enrollment and probe picture is found and passes the quality gates', async () => {
      for (const who of PEOPLE) {
        for (const path of [...photos.enroll[who], ...photos.probe[who]]) {
          const a = await analyze(path);
          expect(a.issue?.code, path).toBeUndefined();
          expect(a.ok, path).toBe(true);
          expect(a.faces.length, path).toBe(1);
        }
      }
    });

    it('each person’s probes match their own template, and not the other’s, at the shipped operating point', async () => {
      const op = recognizerConfigFor(engine.modelId);
      const pipeline = new FacePipeline(engine);
      const templates: Partial<Record<FixturePerson, Template>> = {};
      for (const who of PEOPLE) {
        const r = await pipeline.enroll(who, await Promise.all(photos.enroll[who].map(frameOf)), false);
        expect(r.used, who).toBe(3);
        templates[who] = r.template;
      }
      const gallery = (...who: FixturePerson[]) => {
        const g = new Gallery(engine.modelId, engine.info.descriptor.dim);
        for (const w of who) g.add(templates[w] as Template);
        return g;
      };
      const both = gallery(...PEOPLE);
      for (const who of PEOPLE) {
        const theOther = gallery(other(who));
        for (const path of photos.probe[who]) {
          const d = (await analyze(path)).descriptor as Float32Array;
          expect(judgeMatch(both.search(d, engine.modelId), op), path).toMatchObject({
            kind: 'match',
            personId: who,
          });
          // Alone in the gallery, the other person is beyond the threshold, not merely within the margin.
          expect(judgeMatch(theOther.search(d, engine.modelId), op), path).toMatchObject({
            kind: 'unknown',
            reason: 'threshold',
          });
        }
      }
    });

    it('the group photo, the blurred picture and the picture without a face are refused with reasons', async () => {
      const group = await analyze(photos.group);
      expect(group.issue?.code).toBe('MULTIPLE_FACES');
      expect(group.faces.length).toBe(2);
      const blurred = await analyze(photos.blurred);
      expect(blurred.issue?.code).toBe('BLURRY');
      expect((await analyze(photos.noFace)).issue?.code).toBe('NO_FACE');
    });
  },
);
