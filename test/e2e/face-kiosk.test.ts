/**
 * The face kiosk end to end on real processes and real photos: backend and broker as child
 * processes (test/support/cluster.ts), H.264 videos made with ffmpeg from the committed fixtures
 * (test/support/face-fixtures.ts; in a temp folder), the real engine, the kiosk's outbox and
 * gallery files, and a fake gallery endpoint. One kiosk runs as the real CLI
 * (`terminal/main.ts --video`); the others run in this process so the test can stop the broker and
 * the gallery server under them. Two people: Grace is in the first gallery version, Eileen is a
 * stranger until the second adds her.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_USERNAME } from '../../broker/credentials.ts';
import { DESCRIPTOR_KINDS, kindOfModelId, recognizerConfigFor } from '../../face/descriptor-models.ts';
import { FaceEngine } from '../../face/engine.ts';
import { encodeVideoFromImages, ImageFolderSource, VideoFileSource } from '../../face/frames/index.ts';
import { type GalleryTemplate, PROTOCOL_VERSION, topics } from '../../protocol/index.ts';
import { FaceKiosk, type FaceKioskOptions } from '../../terminal/face-kiosk.ts';
import { RecordingScreen, type ScreenMessage } from '../../terminal/kiosk-screen.ts';
import { Cluster } from '../support/cluster.ts';
import { type FixturePerson, type FixturePhotos, fixturePhotos } from '../support/face-fixtures.ts';
import { FFMPEG_MISSING } from '../support/faces.ts';
import { connect, end, until } from '../support/mqtt.ts';
import { runTs } from '../support/proc.ts';
import { nip } from '../support/punches.ts';
import { skipNotice } from '../support/skip-notice.ts';
import { enrollTemplate, FakeGalleryServer } from './face-support.ts';

type Terminal = { id: string; secret: string; siteId: string };

const PEOPLE: Record<FixturePerson, { templateId: string; employeeId: string; name: string }> = {
  grace: { templateId: 'tpl-grace-1', employeeId: nip(101), name: 'Grace Hopper' },
  eileen: { templateId: 'tpl-eileen-1', employeeId: nip(102), name: 'Eileen Collins' },
};

/** Fails instead of hanging when something never happens. */
async function within<T>(p: Promise<T> | undefined, ms = 15_000): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function memoryLogger(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: pino({ level: 'debug' }, { write: (l: string) => void lines.push(l) }), lines };
}

describe('face kiosk end to end', skipNotice(FFMPEG_MISSING), () => {
  let c: Cluster;
  let engine: FaceEngine;
  let gallery: FakeGalleryServer;
  let tmp: string;
  let t1: Terminal;
  let t2: Terminal;
  let t3: Terminal;
  let f: FixturePhotos;
  const templates: Partial<Record<FixturePerson, GalleryTemplate>> = {};
  const video: Record<string, string> = {};
  const kiosks: FaceKiosk[] = [];

  async function register(name: string): Promise<Terminal> {
    const r = await c.api<{ id: string; siteId: string; mqtt: { password: string } }>(
      'POST',
      '/api/terminals',
      {
        name,
      },
    );
    expect(r.status).toBe(201);
    return { id: r.body.id, secret: r.body.mqtt.password, siteId: r.body.siteId };
  }

  /** The backend's part: a retained announcement of the site's gallery version. */
  async function announce(version: number): Promise<void> {
    const secret = (await readFile(join(c.dir, 'mqtt-service-secret'), 'utf8')).trim();
    const svc = await connect(c.mqttUrl, {
      username: SERVICE_USERNAME,
      password: secret,
      clientId: 'svc.gallery',
    });
    await new Promise<void>((resolve, reject) =>
      svc.publish(
        topics.gallery(t1.siteId),
        JSON.stringify({ v: PROTOCOL_VERSION, siteId: t1.siteId, version, modelId: engine.modelId }),
        { qos: 1, retain: true },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    await end(svc);
  }

  async function openKiosk(t: Terminal, extra: Partial<FaceKioskOptions> = {}) {
    const screen = new RecordingScreen();
    const { log, lines } = memoryLogger();
    const fk = await FaceKiosk.open(
      {
        kiosk: {
          terminalId: t.id,
          secret: t.secret,
          mqttUrl: c.mqttUrl,
          siteId: t.siteId,
          dataDir: join(tmp, t.id),
          ackTimeoutMs: 2000,
        },
        apiUrl: gallery.url,
        engine,
        screen,
        sync: { minBackoffMs: 100, maxBackoffMs: 400 },
        ...extra,
      },
      log,
    );
    kiosks.push(fk);
    fk.start();
    return { fk, screen, lines };
  }

  const storedFor = (terminalId: string) =>
    c.query((p) => p.attendanceEvent.findMany({ where: { terminalId }, orderBy: { seq: 'asc' } }));
  const kinds = (s: RecordingScreen) => s.messages.map((m) => m.kind);
  const texts = (s: RecordingScreen) =>
    s.messages.map((m: ScreenMessage) => ('text' in m ? m.text : m.kind === 'welcome' ? m.name : m.kind));

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'face-kiosk-'));
    [c, engine, f] = await Promise.all([
      Cluster.start({ db: 'sqlite', separateBroker: true }),
      FaceEngine.create({}),
      fixturePhotos(),
    ]);
    [t1, t2, t3] = [
      await register('Gerbang CLI'),
      await register('Gerbang utama'),
      await register('Gerbang liveness'),
    ];
    for (const p of Object.values(PEOPLE)) await c.createEmployee(p.employeeId, p.name);
    for (const who of ['grace', 'eileen'] as const) {
      templates[who] = await enrollTemplate(engine, PEOPLE[who], f.enroll[who]);
    }
    gallery = new FakeGalleryServer(t1.siteId, engine.modelId, [t1, t2, t3]);
    await gallery.start();
    // Version 1: Grace only (Eileen is a stranger until version 2).
    gallery.publish([templates.grace as GalleryTemplate]);
    await announce(1);
    // Short videos: a person's three probe pictures (not used for enrollment), 0.5 s each at 10 fps.
    const clip = async (name: string, images: string[], secondsPerImage = 0.5, fps = 10) => {
      video[name] = join(tmp, `${name}.mp4`);
      await encodeVideoFromImages(images, video[name] as string, { secondsPerImage, fps });
    };
    await Promise.all([
      clip('grace', f.probe.grace),
      clip('eileen', f.probe.eileen),
      // A printed-photo attack as the camera sees it: one picture, held still for 8 s (5 fps).
      clip('eileenStill', [f.probe.eileen[0] as string], 8, 5),
    ]);
  });

  afterAll(async () => {
    for (const k of kiosks) await k.stop().catch(() => undefined);
    await gallery?.stop();
    await engine?.close();
    await c?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('CLI: a video of an enrolled person gives exactly one punch with the right NIP; status names model and gallery', async () => {
    const k = runTs(
      'terminal/main.ts',
      [
        ...['--id', t1.id, '--secret', t1.secret, '--mqtt-url', c.mqttUrl, '--site', t1.siteId],
        ...['--data-dir', join(tmp, 'cli'), '--api-url', gallery.url, '--video', video.grace as string],
        ...['--ack-timeout-ms', '2000', '--exit-when-drained'],
      ],
      {},
      join(c.dir, 'kiosk-cli.log'),
    );
    expect(await k.exited).toBe(0);
    const stored = await storedFor(t1.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      employeeId: PEOPLE.grace.employeeId,
      method: 'face',
      unknownEmployee: false,
    });
    expect(stored[0]?.distance).toBeLessThan(recognizerConfigFor(engine.modelId).threshold);
    expect(JSON.parse(stored[0]?.liveness ?? '{}')).toEqual({ checked: false });
    // The console screen said who, after the punch was committed.
    expect(
      k.lines.some((l) => l.startsWith('[layar] Grace Hopper (') && l.includes('Tercatat / Recorded')),
    ).toBe(true);
    // The retained status carries the descriptor model and the gallery version.
    const list = await c.api<
      Array<{ id: string; lastStatus: { modelVersion?: string; galleryVersion?: number } | null }>
    >('GET', '/api/terminals');
    const status = list.body.find((t) => t.id === t1.id)?.lastStatus;
    expect(status).toMatchObject({ modelVersion: engine.modelId, galleryVersion: 1 });
  });

  it('in process: a stranger gives no punch; a photo without a face and a corrupt file give reasons', async () => {
    const { fk, screen } = await openKiosk(t2);
    await within(fk.sync?.reached(1));
    expect(fk.pipeline.gallery.people).toBe(1);
    expect(await fk.run(new VideoFileSource(video.eileen as string))).toBe(0);
    expect(kinds(screen)).toContain('unknown');
    expect(kinds(screen)).not.toContain('welcome');

    const corrupt = join(tmp, 'corrupt.jpg');
    writeFileSync(corrupt, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]));
    screen.messages.length = 0;
    const images = new ImageFolderSource(tmp, {
      files: [f.noFace, corrupt],
      width: 640,
      height: 480,
      noUpscale: true,
    });
    expect(await fk.run(images)).toBe(0);
    expect(texts(screen)).toContain('Wajah tidak terlihat / No face in view');
    expect(
      texts(screen).some((t) => t.startsWith('Gambar tidak terbaca / Unreadable image (DECODE_FAILED')),
    ).toBe(true);
    expect(fk.kiosk.outbox.depth()).toBe(0);
  });

  it('recognises a person the next gallery version adds, with the broker down: the punch waits in the outbox and is delivered later', async () => {
    const fk = kiosks.at(-1) as FaceKiosk;
    const v2 = gallery.publish([templates.eileen as GalleryTemplate]);
    await announce(v2);
    await within(fk.sync?.reached(v2));
    expect(fk.pipeline.gallery.people).toBe(2);
    await c.broker?.kill('SIGKILL');
    fk.pipeline.recognizer.reset();
    expect(await fk.run(new VideoFileSource(video.eileen as string))).toBe(1);
    expect(fk.kiosk.outbox.depth()).toBe(1);
    expect(await storedFor(t2.id)).toHaveLength(0);
    await c.startBroker();
    await within(fk.kiosk.drained());
    const stored = await storedFor(t2.id);
    expect(stored.map((e) => e.employeeId)).toEqual([PEOPLE.eileen.employeeId]);
  });

  it('a template deleted on the backend stops being recognised after the next sync', async () => {
    const fk = kiosks.at(-1) as FaceKiosk;
    const v3 = gallery.publish([], [PEOPLE.grace.templateId]);
    expect(gallery.delta(2)).toMatchObject({ full: false, upserts: [], deletes: [PEOPLE.grace.templateId] });
    await announce(v3); // the broker was restarted: the backend announces again
    await within(fk.sync?.reached(v3));
    expect(fk.store.templatesOf(PEOPLE.grace.employeeId)).toEqual([]);
    expect(fk.pipeline.gallery.people).toBe(1);
    fk.pipeline.recognizer.reset();
    const before = fk.kiosk.outbox.depth();
    expect(await fk.run(new VideoFileSource(video.grace as string))).toBe(0);
    expect(fk.kiosk.outbox.depth()).toBe(before);
  });

  it('the gallery survives a restart and works with the backend unreachable', async () => {
    const old = kiosks.pop() as FaceKiosk;
    await old.stop();
    const port = gallery.port;
    await gallery.stop();
    const { fk, lines } = await openKiosk(t2);
    expect(fk.store.version()).toBe(3);
    expect(fk.pipeline.gallery.people).toBe(1);
    expect(await fk.run(new VideoFileSource(video.eileen as string))).toBe(1);
    expect(await until(async () => lines.some((l) => l.includes('gallery sync failed')), 5000)).toBe(true);
    expect(fk.sync?.lastError).toMatch(/backend unreachable/);
    // Backend back: the next retry succeeds.
    await gallery.start(port);
    await until(async () => fk.sync?.lastError === undefined && (fk.sync?.stats.applied ?? 0) > 0, 10_000);
    expect(fk.sync?.lastError).toBeUndefined();
    await within(fk.kiosk.drained());
    expect((await storedFor(t2.id)).map((e) => e.employeeId)).toEqual([
      PEOPLE.eileen.employeeId,
      PEOPLE.eileen.employeeId,
    ]);
  });

  it('liveness on: a still photo of an enrolled person never gives a punch (and does without liveness)', async () => {
    const { fk, screen } = await openKiosk(t3, { liveness: 'active' });
    await within(fk.sync?.reached(3));
    // The backend's config (livenessLevel 'off') cannot lower the kiosk's own level.
    await until(async () => fk.kiosk.config !== undefined, 10_000);
    expect(fk.liveness.level).toBe('active');
    // Liveness reads fresh landmarks on every frame: no frame skips the detector or the landmark net.
    expect(fk.pipeline.engine.config.tracking).toMatchObject({ detectEvery: 1, shiftMaxResidual: 0 });
    expect(await fk.run(new VideoFileSource(video.eileenStill as string))).toBe(0);
    expect(fk.kiosk.outbox.depth()).toBe(0);
    const said = texts(screen);
    expect(screen.messages).toContainEqual({
      kind: 'liveness',
      code: 'BLINK_OR_TURN',
      text: 'Kedipkan mata atau tengok ke samping / Blink or turn your head',
      name: PEOPLE.eileen.name,
    });
    // Held for the liveness window (6 s of the 8 s video), then refused.
    expect(said).toContain('Verifikasi gagal, coba lagi / Liveness check failed, try again');
    expect(kinds(screen)).not.toContain('welcome');
    expect(await storedFor(t3.id)).toHaveLength(0);

    // Control: the same video through the kiosk without liveness is a punch.
    const plain = kiosks.find((k) => k.kiosk !== fk.kiosk && k.liveness.level === 'off') as FaceKiosk;
    plain.pipeline.recognizer.reset();
    expect(await plain.run(new VideoFileSource(video.eileenStill as string))).toBe(1);
  });

  it('the site’s face settings reach its kiosks in the config: gates, agreement, threshold; clearing them restores the kiosk’s own', async () => {
    const fk = kiosks.find((k) => k.liveness.level === 'off') as FaceKiosk;
    const screen = fk.screen as RecordingScreen;
    const quality = () => fk.pipeline.engine.config.quality;
    const rc = () => fk.pipeline.recognizer.config;
    const own = { threshold: rc().threshold, agreeFrames: rc().agreeFrames, minFacePx: quality().minFacePx };
    const kind = kindOfModelId(fk.pipeline.engine.modelId);
    const other = DESCRIPTOR_KINDS.find((k) => k !== kind);
    const patch = (kioskSettings: unknown) => c.api('PATCH', '/api/sites/default', { kioskSettings });

    // Gates and agreement; a threshold meant for another model is not used.
    expect(
      (await patch({ quality: { minFacePx: 600 }, match: { frames: 4, threshold: 0.01, model: other } }))
        .status,
    ).toBe(200);
    expect(await until(async () => quality().minFacePx === 600, 10_000)).toBe(true);
    expect(rc()).toMatchObject({ agreeFrames: 4, threshold: own.threshold });
    fk.pipeline.recognizer.reset();
    expect(await fk.run(new VideoFileSource(video.eileen as string))).toBe(0);
    expect(texts(screen)).toContain('Mendekat ke kamera / Move closer');

    // A threshold for this site's model (the backend names it): nobody is close enough to it.
    expect((await patch({ match: { threshold: 0.01 } })).status).toBe(200);
    expect(await until(async () => rc().threshold === 0.01, 10_000)).toBe(true);
    expect(quality().minFacePx).toBe(own.minFacePx);
    fk.pipeline.recognizer.reset();
    expect(await fk.run(new VideoFileSource(video.eileen as string))).toBe(0);

    // Cleared: the kiosk's own settings again, and the same video is a punch.
    expect((await patch(null)).status).toBe(200);
    expect(await until(async () => rc().threshold === own.threshold, 10_000)).toBe(true);
    expect(rc().agreeFrames).toBe(own.agreeFrames);
    fk.pipeline.recognizer.reset();
    expect(await fk.run(new VideoFileSource(video.eileen as string))).toBe(1);
  });
});
