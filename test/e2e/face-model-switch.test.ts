/**
 * Issue #5 (one model per site, switching re-derives or asks for re-enrollment) and issue #3's photo
 * evidence, end to end: the real backend process (enrollment with the real face pipelines, one per
 * model), real SQLite files (and PostgreSQL with PG_TEST_URL), the embedded broker, and the kiosk
 * CLI on a video made with ffmpeg from the committed fixtures (test/support/face-fixtures.ts).
 * Grace Hopper is enrolled with photo evidence on (her face crops kept, encrypted), Eileen Collins
 * without. Switching the site from mfn512 to faceapi is refused naming Eileen; with confirm, Grace's
 * template is re-derived from her crops and a kiosk that had the site's mfn512 gallery follows the
 * switch and recognises her (and no longer Eileen); a kiosk running frames follows a second switch
 * (to mfn192) on the fly. Kept crops are ciphertext, and go with their template, their employee, or
 * evidence off.
 * The kiosk runs (the slow part) are on SQLite only; the database paths run on both.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeVideoFromImages, type Frame, type FrameSource } from '../../face/frames/index.ts';
import { type GalleryDelta, topics } from '../../protocol/index.ts';
import { FaceKiosk } from '../../terminal/face-kiosk.ts';
import { Cluster, type DbKind, type TerminalCreds } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { type FixturePerson, type FixturePhotos, fixturePhotos } from '../support/face-fixtures.ts';
import { FFMPEG_MISSING } from '../support/faces.ts';
import { connect, end, sleep, until } from '../support/mqtt.ts';
import { runTs } from '../support/proc.ts';
import { nip } from '../support/punches.ts';
import { skipNotice } from '../support/skip-notice.ts';
import { frameOf } from './face-support.ts';

const KIOSK_ON_SQLITE =
  'kiosk runs of the face model switch are on SQLite only (the database paths run on both)';
type Err = { error: { code: string; message: string } };
type Site = { id: string; faceModel: string; faceModelId: string; photoEvidence: boolean };
type Enrolled = { templateId: string; modelId: string; cropsKept: number; galleryVersion: number };
type Switch = {
  from: string;
  to: string;
  modelId: string;
  changed: boolean;
  rederived: Array<{ nip: string; templates: number }>;
  reEnroll: Array<{ nip: string; name: string; code: string; message: string }>;
  removedTemplates: number;
  galleryVersion?: number;
};

/** Frames of `idle` (100 ms apart) until `ready()`, then each of `faces` five times. */
function scriptedSource(idle: Frame, faces: Frame[], ready: () => boolean): FrameSource {
  let closed = false;
  let i = 0;
  const next = (f: Frame): Frame => ({ ...f, ts: i * 100, index: i++ });
  return {
    description: 'scripted',
    close: async () => {
      closed = true;
    },
    async *[Symbol.asyncIterator]() {
      while (!closed && !ready()) {
        yield next(idle);
        await sleep(50);
      }
      for (const f of faces) for (let k = 0; k < 5 && !closed; k++) yield next(f);
    },
  };
}

const GRACE = nip(61);
const EILEEN = nip(62);
const SPARE = nip(63);

describeEachDb(
  'site face model switch and photo evidence (%s)',
  (db: DbKind) => {
    let c: Cluster;
    let t: TerminalCreds;
    let f: FixturePhotos;
    const tmp = mkdtempSync(join(tmpdir(), 'att-model-switch-'));
    const video = join(tmp, 'grace-then-eileen.mp4');
    const kioskDir = join(tmp, 'kiosk');
    const withKiosk = db === 'sqlite';
    const kioskRun = { timeout: 180_000, ...skipNotice(withKiosk ? undefined : KIOSK_ON_SQLITE) };
    const photos = (who: FixturePerson) => f.enroll[who].map((p) => readFileSync(p).toString('base64'));

    beforeAll(async () => {
      [c, f] = await Promise.all([Cluster.start({ db }), fixturePhotos()]);
      await c.createEmployee(GRACE, 'Grace Hopper');
      await c.createEmployee(EILEEN, 'Eileen Collins');
      await c.createEmployee(SPARE, 'Pegawai Cadangan');
      t = await c.registerTerminal('Lobi');
      if (withKiosk) {
        await encodeVideoFromImages([...f.probe.grace, ...f.probe.eileen], video, {
          secondsPerImage: 0.5,
          fps: 10,
        });
      }
    }, 120_000);
    afterAll(async () => {
      await c?.stop();
    });

    const site = async () =>
      (await c.api<Site[]>('GET', '/api/sites')).body.find((s) => s.id === 'default') as Site;
    const crops = () => c.query((p) => p.faceCrop.findMany({ include: { template: true } }));
    const pull = async (since: number) => {
      const r = await fetch(`http://127.0.0.1:${c.httpPort}/api/kiosk/gallery?since=${since}`, {
        headers: { authorization: `Basic ${Buffer.from(`${t.id}:${t.password}`).toString('base64')}` },
      });
      return (await r.json()) as GalleryDelta;
    };
    /** The kiosk CLI on the video, until its punches are delivered; the punches stored for it. */
    const runKiosk = async (log: string) => {
      const k = runTs(
        'terminal/main.ts',
        [
          ...['--id', t.id, '--secret', t.password, '--mqtt-url', c.mqttUrl, '--site', 'default'],
          ...['--data-dir', kioskDir, '--api-url', `http://127.0.0.1:${c.httpPort}`, '--video', video],
          ...['--gallery-wait-ms', '60000', '--ack-timeout-ms', '2000', '--exit-when-drained'],
        ],
        {},
        join(c.dir, log),
      );
      expect(await k.exited).toBe(0);
      const rows = await c.query((p) =>
        p.attendanceEvent.findMany({ where: { terminalId: t.id }, orderBy: { seq: 'asc' } }),
      );
      return { lines: k.lines, punches: rows.map((r) => r.employeeId) };
    };

    it('enrolls with the site’s model; crops are kept, encrypted, only while photo evidence is on', async () => {
      const before = await site();
      expect(before).toMatchObject({ faceModel: 'mfn512', photoEvidence: false });

      const tony = await c.api<Enrolled>('POST', `/api/employees/${EILEEN}/faces`, {
        photos: photos('eileen'),
      });
      expect(tony.status).toBe(201);
      expect(tony.body.cropsKept).toBe(0);
      // The id the server announces before loading a model is the one the loaded model reports.
      expect(tony.body.modelId).toBe(before.faceModelId);

      const on = await c.api<{ photoEvidence: boolean; photoEvidenceChange: { message: string } }>(
        'PATCH',
        '/api/sites/default',
        { photoEvidence: true },
      );
      expect(on.status).toBe(200);
      expect(on.body.photoEvidence).toBe(true);
      expect(on.body.photoEvidenceChange.message).toMatch(/^Foto bukti aktif/);

      const colin = await c.api<Enrolled>('POST', `/api/employees/${GRACE}/faces`, {
        photos: photos('grace'),
      });
      expect(colin.status).toBe(201);
      expect(colin.body.cropsKept).toBeGreaterThanOrEqual(2);

      const kept = await crops();
      expect(kept.length).toBe(colin.body.cropsKept);
      expect(kept.every((k) => k.templateId === colin.body.templateId)).toBe(true);
      for (const k of kept) {
        const b = Buffer.from(k.data);
        expect(b.length).toBeGreaterThan(1000);
        // Ciphertext: no JPEG start or end marker, no JFIF header anywhere.
        expect(b.subarray(0, 2).equals(Buffer.from([0xff, 0xd8]))).toBe(false);
        expect(b.includes(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
        expect(b.includes(Buffer.from('JFIF'))).toBe(false);
      }
      const key = join(c.dir, 'face-crops.key');
      expect(existsSync(key)).toBe(true);
      expect(statSync(key).mode & 0o777).toBe(0o600);
      // Never in what kiosks get.
      const full = await pull(0);
      expect(JSON.stringify(full)).not.toMatch(/crop/i);
      expect(full.upserts.map((u) => u.employeeId).sort()).toEqual([GRACE, EILEEN]);
    });

    it('before the switch, a kiosk recognises both with the site’s mfn512 gallery', kioskRun, async () => {
      const r = await runKiosk('kiosk-before.log');
      expect(r.punches).toEqual([GRACE, EILEEN]);
    });

    it('refuses a switch that would leave someone without a template, naming them, and changes nothing', async () => {
      const version = (await pull(0)).version;
      const r = await c.api<Err>('POST', '/api/sites/default/face-model', { model: 'faceapi' });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('CONFLICT');
      expect(r.body.error.message).toMatch(/^Model wajah situs default tidak diganti ke faceapi: 1 pegawai/);
      expect(r.body.error.message).toContain(`${EILEEN} (Eileen Collins)`);
      expect(r.body.error.message).not.toContain(GRACE);
      expect(r.body.error.message).toMatch(/ \/ Face model of site default not switched/);
      // PATCH takes the same path.
      const p = await c.api<Err>('PATCH', '/api/sites/default', { faceModel: 'faceapi', name: 'Kantor' });
      expect(p.status).toBe(409);

      const dry = await c.api<Switch>('POST', '/api/sites/default/face-model', {
        model: 'faceapi',
        dryRun: true,
      });
      expect(dry.status).toBe(200);
      expect(dry.body).toMatchObject({ from: 'mfn512', to: 'faceapi', changed: true, removedTemplates: 2 });
      expect(dry.body.rederived.map((x) => x.nip)).toEqual([GRACE]);
      expect(dry.body.reEnroll).toEqual([
        expect.objectContaining({ nip: EILEEN, name: 'Eileen Collins', code: 'NO_CROPS' }),
      ]);
      expect(dry.body.reEnroll[0]?.message).toMatch(/^Perlu pendaftaran wajah ulang/);

      const after = await site();
      expect(after).toMatchObject({ faceModel: 'mfn512', photoEvidence: true });
      expect(after).not.toHaveProperty('name', 'Kantor');
      expect((await pull(0)).version).toBe(version);
      const tpl = await c.query((q) => q.faceTemplate.findMany());
      expect(tpl.map((x) => x.modelId)).toEqual([after.faceModelId, after.faceModelId]);
    });

    it('with confirm, re-derives from kept crops, drops the rest, and serves only the new model', async () => {
      const sub = await connect(c.mqttUrl, { clientId: `${t.id}.s`, username: t.id, password: t.password });
      const before = (await pull(0)).version;
      const r = await c.api<Switch>('POST', '/api/sites/default/face-model', {
        model: 'faceapi',
        confirm: true,
      });
      expect(r.status).toBe(200);
      expect(r.body.rederived).toEqual([{ nip: GRACE, name: 'Grace Hopper', templates: 1 }]);
      expect(r.body.reEnroll.map((x) => x.nip)).toEqual([EILEEN]);
      expect(r.body.removedTemplates).toBe(2);
      expect(r.body.galleryVersion).toBeGreaterThan(before);

      const s = await site();
      expect(s.faceModel).toBe('faceapi');
      expect(s.faceModelId).toMatch(/^faceapi-resnet128@/);
      const colin = await c.api<Array<{ id: string; modelId: string }>>(
        'GET',
        `/api/employees/${GRACE}/faces`,
      );
      expect(colin.body.map((x) => x.modelId)).toEqual([s.faceModelId]);
      expect((await c.api<unknown[]>('GET', `/api/employees/${EILEEN}/faces`)).body).toEqual([]);
      // The crops moved with the re-derived template.
      const kept = await crops();
      expect(kept.length).toBeGreaterThanOrEqual(2);
      expect(kept.every((k) => k.templateId === colin.body[0]?.id)).toBe(true);

      // A kiosk behind the switch gets the new model's whole gallery, never a mix.
      const d = await pull(before);
      expect(d).toMatchObject({ full: true, modelId: s.faceModelId, version: r.body.galleryVersion });
      expect(d.upserts.map((u) => [u.employeeId, u.modelId])).toEqual([[GRACE, s.faceModelId]]);
      expect((await pull(r.body.galleryVersion as number)).upserts).toEqual([]);

      // The retained announcement names the new model.
      const announced = new Promise<{ version: number; modelId: string }>((res) =>
        sub.on('message', (_t, p) => res(JSON.parse(p.toString()))),
      );
      sub.subscribe(topics.gallery('default'), { qos: 1 });
      expect(await announced).toMatchObject({ version: r.body.galleryVersion, modelId: s.faceModelId });
      await end(sub);
    });

    it(
      'the kiosk follows the site to faceapi and recognises Grace from the video, and no longer Eileen',
      kioskRun,
      async () => {
        const r = await runKiosk('kiosk-after.log');
        // Exactly one new punch, Grace's.
        expect(r.punches).toEqual([GRACE, EILEEN, GRACE]);
        expect(r.lines.some((l) => l.includes('descriptor model switched to the site'))).toBe(true);
        const s = await site();
        expect(
          await until(async () => {
            const term = await c.query((p) => p.terminal.findUnique({ where: { id: t.id } }));
            return (term?.lastStatus ?? '').includes(s.faceModelId.slice(0, 40));
          }, 10_000),
        ).toBe(true);
      },
    );

    it(
      'a running kiosk follows a switch announced while frames flow, and recognises with the new model',
      kioskRun,
      async () => {
        const t2 = await c.registerTerminal('Lobi 2');
        const faceapi = (await site()).faceModelId;
        const fk = await FaceKiosk.open(
          {
            kiosk: {
              terminalId: t2.id,
              secret: t2.password,
              mqttUrl: c.mqttUrl,
              siteId: 'default',
              dataDir: join(tmp, 'live'),
              ackTimeoutMs: 2000,
            },
            apiUrl: `http://127.0.0.1:${c.httpPort}`,
            sync: { minBackoffMs: 100, maxBackoffMs: 400 },
            screen: { show: () => undefined },
          },
          pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
        );
        try {
          fk.start();
          await fk.sync?.idle();
          // A fresh kiosk (default mfn512) took its site's model at the first pull.
          expect(fk.pipeline.engine.modelId).toBe(faceapi);
          expect(fk.pipeline.gallery.people).toBe(1);

          // Frames without a face flow until the kiosk runs the new model with its gallery, then Grace.
          const idle = await frameOf(f.noFace);
          const grace = await Promise.all(f.probe.grace.map(frameOf));
          let target = '';
          const ready = () => fk.pipeline.engine.modelId === target && fk.pipeline.gallery.people === 1;
          const running = fk.run(scriptedSource(idle, grace, ready));
          const r = await c.api<Switch>('POST', '/api/sites/default/face-model', { model: 'mfn192' });
          expect(r.status).toBe(200);
          expect(r.body.rederived.map((x) => x.nip)).toEqual([GRACE]);
          target = r.body.modelId;
          expect(await running).toBe(1);
          await fk.kiosk.drained();
          expect(fk.pipeline.engine.modelId).toBe(target);
          expect(fk.store.modelId).toBe(target);
          const rows = await c.query((p) => p.attendanceEvent.findMany({ where: { terminalId: t2.id } }));
          expect(rows.map((x) => x.employeeId)).toEqual([GRACE]);
        } finally {
          await fk.stop();
        }
      },
    );

    it('a kept crop goes with its template, its employee, and when photo evidence is turned off', async () => {
      // Template deleted: its crops too.
      const colin = await c.api<Array<{ id: string }>>('GET', `/api/employees/${GRACE}/faces`);
      const del = await c.api('DELETE', `/api/employees/${GRACE}/faces/${colin.body[0]?.id}`);
      expect(del.status).toBe(200);
      expect(await crops()).toEqual([]);

      // Employee deleted: their crops too.
      const a = await c.api<Enrolled>('POST', `/api/employees/${SPARE}/faces`, {
        photos: photos('eileen'),
      });
      expect(a.status).toBe(201);
      expect(a.body.cropsKept).toBeGreaterThanOrEqual(1);
      expect((await crops()).length).toBe(a.body.cropsKept);
      expect((await c.api('DELETE', `/api/employees/${SPARE}`)).status).toBe(200);
      expect(await crops()).toEqual([]);

      // Evidence off: every kept crop of the site is deleted, and the response says so.
      const b = await c.api<Enrolled>('POST', `/api/employees/${GRACE}/faces`, {
        photos: photos('grace'),
      });
      expect(b.body.cropsKept).toBeGreaterThanOrEqual(1);
      const off = await c.api<{
        photoEvidence: boolean;
        photoEvidenceChange: { cropsDeleted: number; message: string };
      }>('PATCH', '/api/sites/default', { photoEvidence: false });
      expect(off.status).toBe(200);
      expect(off.body.photoEvidence).toBe(false);
      expect(off.body.photoEvidenceChange.cropsDeleted).toBe(b.body.cropsKept);
      expect(off.body.photoEvidenceChange.message).toMatch(
        new RegExp(`^Foto bukti nonaktif: ${b.body.cropsKept} potongan wajah dihapus`),
      );
      expect(await crops()).toEqual([]);
      // The template stays (templates, not photos), and later enrollments keep nothing.
      expect((await c.api<unknown[]>('GET', `/api/employees/${GRACE}/faces`)).body.length).toBe(1);
      const again = await c.api<Enrolled>('POST', `/api/employees/${EILEEN}/faces`, {
        photos: photos('eileen'),
      });
      expect(again.body).toMatchObject({ cropsKept: 0, modelId: (await site()).faceModelId });
      expect(await crops()).toEqual([]);
    });
  },
  FFMPEG_MISSING,
);
