/**
 * A site enrolled before sites had a model of their own keeps the model of its templates when the
 * server starts, whatever FACE_DESCRIPTOR now says: a changed server default must not silently empty
 * that site's kiosks (their templates would all be of "another model"). Real SQLite file; no face
 * model is loaded (announcing names a site's model from the files on disk).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, migrateDatabase, openDatabase } from '../../backend/db/database.ts';
import { CropVault } from '../../backend/faces/crop-vault.ts';
import { FaceRepository } from '../../backend/faces/face.repository.ts';
import { GalleryService } from '../../backend/faces/gallery.service.ts';
import { PipelineEnroller, shippedModelId } from '../../backend/faces/pipeline-enroller.ts';
import { logger } from '../../lib/logger.ts';
import { GalleryAnnouncement } from '../../protocol/index.ts';

describe('site face model pinned at start', () => {
  let dir: string;
  let db: Database;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'att-pin-'));
    const url = `file:${join(dir, 'att.db')}`;
    await migrateDatabase(url);
    db = await openDatabase(url);
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a legacy site on its templates’ model and announces that model; a site without templates stays unset', async () => {
    const p = db.prisma;
    await p.unit.create({ data: { id: 'u1', name: 'Dinas' } });
    await p.site.createMany({
      data: [
        { id: 'old', name: 'Kantor lama' },
        { id: 'new', name: 'Kantor baru' },
      ],
    });
    await p.employee.create({
      data: { nip: '199001012015011001', name: 'Siti', unitId: 'u1', siteId: 'old' },
    });
    const faceapiId = shippedModelId('faceapi');
    await p.faceTemplate.create({
      data: {
        id: 't1',
        employeeId: '199001012015011001',
        modelId: faceapiId,
        descriptor: Buffer.from(new Float32Array(128).fill(1 / Math.sqrt(128)).buffer),
      },
    });
    await p.galleryChange.create({
      data: { siteId: 'old', templateId: 't1', employeeId: '199001012015011001', op: 'upsert' },
    });
    expect((await p.site.findUniqueOrThrow({ where: { id: 'old' } })).faceModel).toBeNull();

    const announced: Array<{ siteId: string; payload: string }> = [];
    const gallery = new GalleryService(
      new FaceRepository(db),
      new PipelineEnroller(() => Promise.reject(new Error('no model may load to announce'))),
      { publishGallery: async (siteId, payload) => void announced.push({ siteId, payload }) },
      async () => 'u1',
      logger('test'),
      // The server's default is now mfn512; the site's templates are face-api's.
      { defaultKind: 'mfn512', vault: new CropVault(join(dir, 'face-crops.key')) },
    );
    await gallery.announceAll();

    expect((await p.site.findUniqueOrThrow({ where: { id: 'old' } })).faceModel).toBe('faceapi');
    expect((await p.site.findUniqueOrThrow({ where: { id: 'new' } })).faceModel).toBeNull();
    const a = announced.find((x) => x.siteId === 'old');
    expect(GalleryAnnouncement.parse(JSON.parse(a?.payload ?? '{}')).modelId).toBe(faceapiId);
    // The kiosk's pull gets the template (same model), not an empty gallery.
    const delta = await gallery.delta('old', 0);
    expect(delta.modelId).toBe(faceapiId);
    expect(delta.upserts.map((u) => u.templateId)).toEqual(['t1']);
  });

  it('refuses a template of a model the site no longer uses (switched by another instance), and keeps no crops with evidence off', async () => {
    const repo = new FaceRepository(db);
    const descriptor = new Float32Array(512).fill(1 / Math.sqrt(512));
    const base = {
      employeeId: '199001012015011001',
      siteId: 'old',
      descriptor,
      modelId: shippedModelId('mfn512'),
    };
    // The site is on faceapi (pinned above); an enrollment that computed an mfn512 template lost the race.
    await expect(repo.addTemplate({ ...base, id: 't2', faceModel: 'mfn512' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await db.prisma.faceTemplate.count({ where: { id: 't2' } })).toBe(0);
    // Evidence is off at the site: crops sealed before it was turned off are not kept.
    const added = await repo.addTemplate({
      ...base,
      id: 't3',
      modelId: shippedModelId('faceapi'),
      faceModel: 'faceapi',
      descriptor: new Float32Array(128).fill(1 / Math.sqrt(128)),
      crops: [{ id: 'c1', data: Buffer.from('sealed crop') }],
    });
    expect(added.cropsKept).toBe(0);
    expect(await db.prisma.faceCrop.count()).toBe(0);
  });
});
