/**
 * Enrollment through the REST API with the real face pipeline in the server
 * process, and gallery sync to kiosks: versions announced retained over MQTT,
 * deltas pulled with terminal credentials, deletions propagated.
 * Photos: the committed public-domain fixtures (test/support/face-fixtures.ts).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jpegFrameOffset } from '../../face/frames/image-header.ts';
import { encodeVideoFromImages } from '../../face/frames/index.ts';
import { decodeDescriptor, type GalleryDelta, topics } from '../../protocol/index.ts';
import { ADMIN_PASSWORD, Cluster, type TerminalCreds } from '../support/cluster.ts';
import { type FixturePhotos, fixturePhotos } from '../support/face-fixtures.ts';
import { FFMPEG_MISSING } from '../support/faces.ts';
import { connect, end } from '../support/mqtt.ts';
import { childEnv, ROOT, runToEnd, runTs } from '../support/proc.ts';
import { nip } from '../support/punches.ts';
import { skipNotice } from '../support/skip-notice.ts';

const base64 = (path: string) => readFileSync(path).toString('base64');
type Err = { error: { code: string; message: string } };

describe('face enrollment and gallery sync', skipNotice(FFMPEG_MISSING), () => {
  let c: Cluster;
  let t: TerminalCreds;
  let f: FixturePhotos;
  const tmp = mkdtempSync(join(tmpdir(), 'att-faces-'));
  beforeAll(async () => {
    [c, f] = await Promise.all([Cluster.start({ db: 'sqlite' }), fixturePhotos()]);
    await c.createEmployee(nip(31), 'Grace Hopper');
    await c.createEmployee(nip(32), 'Eileen Collins');
    t = await c.registerTerminal('Gerbang');
  });
  afterAll(async () => {
    await c.stop();
  });

  const pull = async (since: number, creds = `${t.id}:${t.password}`) => {
    const r = await fetch(`http://127.0.0.1:${c.httpPort}/api/kiosk/gallery?since=${since}`, {
      headers: { authorization: `Basic ${Buffer.from(creds).toString('base64')}` },
    });
    return { status: r.status, body: (await r.json()) as GalleryDelta };
  };

  it('refuses a group photo, a photo without a face, a blurred one and a corrupt file, with reasons', async () => {
    const cases: Array<[string, RegExp]> = [
      [base64(f.group), /Satu orang saja/],
      [base64(f.noFace), /Wajah tidak/],
      [base64(f.blurred), /Tahan posisi/],
      [Buffer.from('not a jpeg at all, just text'.repeat(10)).toString('base64'), /Foto tidak terbaca/],
    ];
    for (const [p, reason] of cases) {
      const r = await c.api<Err>('POST', `/api/employees/${nip(31)}/faces`, { photos: [p] });
      expect(r.status).toBe(422);
      expect(r.body.error.message).toMatch(reason);
    }
    const none = await c.api<Err>('POST', `/api/employees/${nip(31)}/faces`, { photos: [] });
    expect(none.status).toBe(400);
  });

  it('refuses a picture declaring 16000×16000 from its header, at once, and enrolls normally after (#12)', async () => {
    const huge = readFileSync(f.enroll.grace[0] as string);
    const sof = jpegFrameOffset(huge) as number;
    huge.writeUInt16BE(16000, sof + 5);
    huge.writeUInt16BE(16000, sof + 7);
    const r = await c.api<Err>('POST', `/api/employees/${nip(31)}/faces`, {
      photos: [huge.toString('base64')],
    });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toMatch(/Foto terlalu besar \/ Image too large: 16000×16000/);
    // Nothing of the server's insides in a refusal.
    const corrupt = Buffer.from(readFileSync(f.enroll.grace[0] as string).subarray(0, 2000));
    const t = await c.api<Err>('POST', `/api/employees/${nip(31)}/faces`, {
      photos: [corrupt.toString('base64')],
    });
    expect(t.status).toBe(422);
    expect(t.body.error.message).not.toMatch(/att-enroll|\/tmp|ffmpeg|\.img/);
  });

  it('enrolls from photos, announces the version and serves the delta to the site’s kiosks only', async () => {
    const sub = await connect(c.mqttUrl, { clientId: `${t.id}.g`, username: t.id, password: t.password });
    const announced: number[] = [];
    sub.on('message', (_topic, p) =>
      announced.push((JSON.parse(p.toString()) as { version: number }).version),
    );
    await new Promise((r) => sub.subscribe(topics.gallery('default'), { qos: 1 }, r));

    const r = await c.api<{ templateId: string; used: number; galleryVersion: number; modelId: string }>(
      'POST',
      `/api/employees/${nip(31)}/faces`,
      { photos: f.enroll.grace.map(base64) },
    );
    expect(r.status).toBe(201);
    expect(r.body.used).toBeGreaterThanOrEqual(2);
    const b = await c.api<{ templateId: string; galleryVersion: number }>(
      'POST',
      `/api/employees/${nip(32)}/faces`,
      { photos: f.enroll.eileen.slice(0, 2).map(base64) },
    );
    expect(b.status).toBe(201);

    const full = await pull(0);
    expect(full.status).toBe(200);
    expect(full.body.full).toBe(true);
    expect(full.body.version).toBe(b.body.galleryVersion);
    expect(full.body.upserts.map((u) => u.employeeId).sort()).toEqual([nip(31), nip(32)]);
    const vec = decodeDescriptor(full.body.upserts[0]?.descriptor as string);
    expect(Math.abs(Math.hypot(...vec) - 1)).toBeLessThan(1e-3);
    expect(full.body.upserts.every((u) => u.modelId === r.body.modelId)).toBe(true);

    // Nothing new since the current version.
    const none = await pull(full.body.version);
    expect(none.body).toMatchObject({ full: false, upserts: [], deletes: [] });

    // Deleting the employee's templates shows up as deletes in the next delta, and is announced.
    const del = await c.api<{ deleted: number }>('DELETE', `/api/employees/${nip(31)}/faces`);
    expect(del.body.deleted).toBe(1);
    const after = await pull(full.body.version);
    expect(after.body.deletes).toEqual([r.body.templateId]);
    expect(after.body.upserts).toEqual([]);
    await new Promise((res) => setTimeout(res, 500));
    expect(announced.at(-1)).toBe(after.body.version);
    expect(after.body.version).toBeGreaterThan(full.body.version);
    await end(sub);
  });

  it('bulk-imports a ZIP of photos named by NIP, with progress and a summary', async () => {
    // Grace again, as another employee: nip(31)'s template was deleted above.
    await c.createEmployee(nip(33), 'Grace Hopper');
    const [one, two, three] = f.enroll.grace.map((p) => readFileSync(p)) as [Buffer, Buffer, Buffer];
    const zip = zipSync({
      [`${nip(33)}_1.jpg`]: one,
      [`${nip(33)}/2.jpg`]: two,
      [`${nip(34)}.jpg`]: three, // no such employee
      'readme.jpg': three, // no NIP in the name
    });
    writeFileSync(join(tmp, 'batch.zip'), zip);
    // Asynchronously: a blocked event loop here stops draining the backend's log pipe, which stalls it.
    const r = await runToEnd(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'backend/faces/bulk-import.ts'),
        '--zip',
        join(tmp, 'batch.zip'),
        '--url',
        `http://127.0.0.1:${c.httpPort}`,
      ],
      { cwd: ROOT, env: childEnv({ ADMIN_PASSWORD }) },
    );
    expect(JSON.parse(r.stdout.trim())).toMatchObject({
      employees: 2,
      enrolled: 1,
      refused: 1,
      skippedFiles: 1,
      refusedEntries: 0,
    });
    expect(r.stderr).toMatch(/2\/2/);
    expect(r.stderr).toMatch(new RegExp(`refused ${nip(34)}: employee ${nip(34)} not found`));
    expect(r.status).toBe(1);
    const list = await c.api<Array<{ id: string }>>('GET', `/api/employees/${nip(33)}/faces`);
    expect(list.body.length).toBe(1);
  });

  it('a kiosk pulls the gallery from the backend and turns a video of the enrolled person into exactly one punch', async () => {
    // nip(33) (Grace) was enrolled by the bulk import above from two pictures; these are others.
    const video = join(tmp, 'grace.mp4');
    await encodeVideoFromImages(f.probe.grace, video, { secondsPerImage: 0.5, fps: 10 });
    const k = runTs(
      'terminal/main.ts',
      [
        ...['--id', t.id, '--secret', t.password, '--mqtt-url', c.mqttUrl, '--site', 'default'],
        ...[
          '--data-dir',
          join(tmp, 'kiosk'),
          '--api-url',
          `http://127.0.0.1:${c.httpPort}`,
          '--video',
          video,
        ],
        ...['--ack-timeout-ms', '2000', '--exit-when-drained'],
      ],
      {},
      join(c.dir, 'kiosk-real-gallery.log'),
    );
    expect(await k.exited).toBe(0);
    const rows = await c.query((p) => p.attendanceEvent.findMany({ where: { terminalId: t.id } }));
    expect(rows.map((r) => [r.employeeId, r.method, r.unknownEmployee])).toEqual([[nip(33), 'face', false]]);
  });

  it('deleting an employee deactivates them and removes their templates from the kiosks’ gallery', async () => {
    const before = await pull(0);
    expect(before.body.upserts.map((u) => u.employeeId)).toContain(nip(32));
    const del = await c.api<{ deleted: number; active: boolean }>('DELETE', `/api/employees/${nip(32)}`);
    expect(del.body).toEqual({ deleted: 1, active: false });
    const after = await pull(before.body.version);
    expect(after.body.deletes.length).toBe(1);
    expect((await pull(0)).body.upserts.map((u) => u.employeeId)).not.toContain(nip(32));
    const e = await c.api<Array<{ nip: string; active: boolean }>>('GET', '/api/employees');
    expect(e.body.find((x) => x.nip === nip(32))?.active).toBe(false);
  });

  it('refuses a gallery pull without valid terminal credentials', async () => {
    expect((await pull(0, `${t.id}:wrong`)).status).toBe(401);
    expect((await pull(0, 'nobody:x')).status).toBe(401);
    const anon = await fetch(`http://127.0.0.1:${c.httpPort}/api/kiosk/gallery`);
    expect(anon.status).toBe(401);
  });
});
