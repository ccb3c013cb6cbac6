/**
 * The kiosk's gallery: the SQLite store (deltas, model refusal, file mode, restart) and the sync
 * client against a fake gallery endpoint on loopback (announcement, Basic auth, validation,
 * backoff while the backend is down). Random unit vectors stand in for descriptors: no tensors.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Gallery } from '../../face/gallery.ts';
import {
  encodeDescriptor,
  type GalleryDelta,
  type GalleryTemplate,
  PROTOCOL_VERSION,
  type StatusPayload,
} from '../../protocol/index.ts';
import { GalleryStore } from '../../terminal/gallery/gallery-store.ts';
import { GallerySync } from '../../terminal/gallery/gallery-sync.ts';
import { Kiosk } from '../../terminal/kiosk.ts';
import { FakeGalleryServer } from '../e2e/face-support.ts';
import { until } from '../support/mqtt.ts';
import { freePort } from '../support/proc.ts';

const MODEL = 'test-model@1#abcdef12/arcface112';
const DIM = 16;

function unit(seed: number, dim = DIM): Float32Array {
  const v = new Float32Array(dim);
  let s = seed * 2654435761;
  for (let i = 0; i < dim; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    v[i] = s / 2 ** 31 - 0.5;
  }
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function tpl(
  id: string,
  employeeId: string,
  seed: number,
  over: Partial<GalleryTemplate> = {},
): GalleryTemplate {
  return {
    templateId: id,
    employeeId,
    name: `Pegawai ${employeeId}`,
    modelId: MODEL,
    descriptor: encodeDescriptor(unit(seed)),
    ...over,
  };
}

const delta = (over: Partial<GalleryDelta>): GalleryDelta => ({
  siteId: 'site-1',
  version: 1,
  modelId: MODEL,
  full: true,
  upserts: [],
  deletes: [],
  ...over,
});

function memoryLogger() {
  const lines: string[] = [];
  return { log: pino({ level: 'debug' }, { write: (l: string) => void lines.push(l) }), lines };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-gallery-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('gallery store', () => {
  it('keeps templates in a file only its owner can read (and its WAL companions)', () => {
    const store = new GalleryStore(join(dir, 'g', 'gallery.db'), { modelId: MODEL, dim: DIM });
    store.apply(delta({ upserts: [tpl('t1', 'nip-1', 1)] }));
    for (const f of ['gallery.db', 'gallery.db-wal', 'gallery.db-shm']) {
      const p = join(dir, 'g', f);
      if (existsSync(p)) expect(statSync(p).mode & 0o777, f).toBe(0o600);
    }
    expect(existsSync(join(dir, 'g', 'gallery.db-wal'))).toBe(true);
    store.close();
  });

  it('applies a full delta, then upserts and deletes, each in one transaction, and refreshes the gallery', () => {
    const store = new GalleryStore(join(dir, 'gallery.db'), { modelId: MODEL, dim: DIM });
    const g = new Gallery(MODEL, DIM);
    const r1 = store.apply(
      delta({ upserts: [tpl('t1', 'nip-1', 1), tpl('t2', 'nip-2', 2), tpl('t3', 'nip-2', 3)] }),
    );
    expect(r1).toMatchObject({ applied: true, full: true, version: 1, upserted: 3, deleted: 0, refused: 0 });
    store.loadInto(g);
    expect([g.size, g.people, store.version(), store.siteId()]).toEqual([3, 2, 1, 'site-1']);
    expect(store.nameOf('nip-2')).toBe('Pegawai nip-2');
    expect(g.search(unit(1), MODEL).best).toMatchObject({ personId: 'nip-1' });

    // t3 is re-assigned to nip-3, t1 deleted, nip-4 new.
    const r2 = store.apply(
      delta({
        version: 2,
        full: false,
        upserts: [tpl('t3', 'nip-3', 3), tpl('t4', 'nip-4', 4)],
        deletes: ['t1', 'gone'],
      }),
    );
    if (!r2.applied) throw new Error(r2.message);
    expect(r2).toMatchObject({ upserted: 2, deleted: 1 });
    expect([...r2.affected].sort()).toEqual(['nip-1', 'nip-2', 'nip-3', 'nip-4']);
    store.refreshInto(g, r2.affected);
    expect([g.size, g.people]).toEqual([3, 3]);
    expect(g.search(unit(1), MODEL).best?.personId).not.toBe('nip-1');
    expect(g.search(unit(3), MODEL).best).toMatchObject({ personId: 'nip-3' });

    // A full delta replaces everything.
    const r3 = store.apply(delta({ version: 7, upserts: [tpl('t9', 'nip-9', 9)] }));
    if (!r3.applied) throw new Error(r3.message);
    store.refreshInto(g, r3.affected);
    expect([g.size, g.people, store.count(), store.version()]).toEqual([1, 1, 1, 7]);
    store.close();
  });

  it('refuses a delta of another model whole, and skips templates of another model or malformed', () => {
    const store = new GalleryStore(join(dir, 'gallery.db'), { modelId: MODEL, dim: DIM });
    const other = store.apply(
      delta({ modelId: 'faceapi-resnet128@1.7.15#b413e420/dlib150p0.25', upserts: [tpl('t1', 'n', 1)] }),
    );
    expect(other).toMatchObject({ applied: false, reason: 'model-mismatch' });
    expect([store.count(), store.version()]).toEqual([0, 0]);

    const nan = encodeDescriptor(new Float32Array(DIM).fill(Number.NaN));
    const r = store.apply(
      delta({
        upserts: [
          tpl('ok', 'nip-1', 1),
          tpl('m', 'nip-2', 2, { modelId: 'other-model' }),
          tpl('short', 'nip-3', 3, { descriptor: encodeDescriptor(unit(3, 8)) }),
          tpl('nan', 'nip-4', 4, { descriptor: nan }),
        ],
      }),
    );
    expect(r).toMatchObject({ applied: true, upserted: 1, refused: 3 });
    expect(store.templates().map((t) => t.templateId)).toEqual(['ok']);
    // An incremental delta older than the local copy is ignored.
    expect(store.apply(delta({ version: 0, full: false }))).toMatchObject({
      applied: false,
      reason: 'stale',
    });
    store.close();
  });

  it('rolls a failing delta back completely', () => {
    const store = new GalleryStore(join(dir, 'gallery.db'), { modelId: MODEL, dim: DIM });
    store.apply(delta({ upserts: [tpl('t1', 'nip-1', 1)] }));
    const bad = delta({
      version: 2,
      full: false,
      upserts: [tpl('t2', 'nip-2', 2)],
      deletes: [{} as unknown as string],
    });
    expect(() => store.apply(bad)).toThrow();
    expect([store.version(), store.templates().map((t) => t.templateId)]).toEqual([1, ['t1']]);
    store.close();
  });

  it('survives a restart; a kiosk now running another model drops the old templates and starts over', () => {
    const file = join(dir, 'gallery.db');
    const a = new GalleryStore(file, { modelId: MODEL, dim: DIM });
    a.apply(delta({ version: 4, upserts: [tpl('t1', 'nip-1', 1)] }));
    a.close();
    const b = new GalleryStore(file, { modelId: MODEL, dim: DIM });
    expect([b.version(), b.count()]).toEqual([4, 1]);
    expect(b.templates()[0]?.vector).toEqual(unit(1));
    b.close();
    const { log, lines } = memoryLogger();
    const c = new GalleryStore(file, { modelId: 'new-model@2#00000000/arcface112', dim: 512, log });
    expect([c.version(), c.count()]).toEqual([0, 0]);
    expect(lines.join('\n')).toContain('local gallery was made by another descriptor model');
    c.close();
  });
});

describe('gallery sync', () => {
  const creds = { id: 'k-test', secret: 's3cret' };
  let server: FakeGalleryServer;
  let store: GalleryStore;

  beforeEach(async () => {
    server = new FakeGalleryServer('site-1', MODEL, [creds]);
    store = new GalleryStore(join(dir, 'gallery.db'), { modelId: MODEL, dim: DIM });
  });
  afterEach(async () => {
    await server.stop();
    store.close();
  });

  const sync = (log: pino.Logger, over: { apiUrl?: string; secret?: string } = {}) =>
    new GallerySync({
      store,
      apiUrl: over.apiUrl ?? server.url,
      terminalId: creds.id,
      secret: over.secret ?? creds.secret,
      log,
      minBackoffMs: 20,
      maxBackoffMs: 80,
    });
  const announcement = (version: number, modelId = MODEL) =>
    Buffer.from(JSON.stringify({ v: PROTOCOL_VERSION, siteId: 'site-1', version, modelId }));

  it('pulls at start and on a newer announcement, with HTTP Basic and since=<local version>', async () => {
    await server.start();
    server.publish([tpl('t1', 'nip-1', 1), tpl('t2', 'nip-2', 2)]);
    const { log } = memoryLogger();
    const s = sync(log);
    const applied: number[] = [];
    s.on('applied', (r) => applied.push(r.version));
    s.start();
    await s.reached(1);
    server.publish([tpl('t3', 'nip-3', 3)], ['t1']);
    s.onAnnouncement(announcement(2));
    await s.reached(2);
    s.onAnnouncement(announcement(2)); // not newer: no pull
    s.onAnnouncement(Buffer.from('{"v":1}')); // malformed: ignored
    await s.idle();
    expect(applied).toEqual([1, 2]);
    expect(server.requests.map((r) => [r.since, r.status])).toEqual([
      ['0', 200],
      ['1', 200],
    ]);
    expect(server.requests[0]?.auth).toBe(`Basic ${Buffer.from('k-test:s3cret').toString('base64')}`);
    expect(store.templates().map((t) => t.templateId)).toEqual(['t2', 't3']);
    s.stop();
  });

  it('retries with backoff while the backend is unreachable or failing, then catches up', async () => {
    const port = await freePort();
    server.publish([tpl('t1', 'nip-1', 1)]);
    const { log, lines } = memoryLogger();
    const s = sync(log, { apiUrl: `http://127.0.0.1:${port}` });
    s.start();
    expect(await until(async () => s.stats.failures >= 2, 5000, 10)).toBe(true);
    expect(s.lastError).toMatch(/backend unreachable/);
    await server.start(port);
    server.answerWith = { status: 503, body: { error: { code: 'UNAVAILABLE', message: 'later' } } };
    expect(await until(async () => s.lastError === 'HTTP 503', 5000, 10)).toBe(true);
    server.answerWith = undefined;
    await s.reached(1);
    expect(store.count()).toBe(1);
    expect(lines.filter((l) => l.includes('gallery sync failed')).length).toBeGreaterThanOrEqual(3);
    s.stop();
  });

  it('refuses a malformed delta and wrong credentials loudly, and keeps trying', async () => {
    await server.start();
    server.publish([tpl('t1', 'nip-1', 1)]);
    server.answerWith = { status: 200, body: { ...delta({}), extra: true } };
    const { log, lines } = memoryLogger();
    const s = sync(log);
    s.start();
    expect(await until(async () => s.lastError !== undefined, 5000, 10)).toBe(true);
    expect(s.lastError).toMatch(/^invalid gallery delta \(SCHEMA\)/);
    expect(store.version()).toBe(0);
    server.answerWith = undefined;
    await s.reached(1);
    s.stop();

    const bad = sync(log, { secret: 'wrong' });
    bad.requestPull();
    await bad.idle();
    expect(bad.lastError).toBe('HTTP 401: terminal credentials refused');
    expect(lines.some((l) => l.includes('"level":50') && l.includes('gallery sync failed'))).toBe(true);
    bad.stop();
  });

  it('refuses a site gallery of another descriptor model with a clear log line, without looping', async () => {
    const other = new FakeGalleryServer('site-1', 'faceapi-resnet128@1.7.15#b413e420/dlib150p0.25', [creds]);
    await other.start();
    other.publish([tpl('t1', 'nip-1', 1, { modelId: 'faceapi-resnet128@1.7.15#b413e420/dlib150p0.25' })]);
    const { log, lines } = memoryLogger();
    const s = sync(log, { apiUrl: other.url });
    s.start();
    await s.idle();
    await new Promise((r) => setTimeout(r, 100)); // (a retry would come within 80 ms)
    expect(store.count()).toBe(0);
    expect(other.requests).toHaveLength(1);
    expect(lines.some((l) => l.includes('gallery refused: site gallery is made by model'))).toBe(true);
    // Its announcement is not even pulled.
    s.onAnnouncement(announcement(5, 'faceapi-resnet128@1.7.15#b413e420/dlib150p0.25'));
    await s.idle();
    expect(other.requests).toHaveLength(1);
    expect(lines.some((l) => l.includes('site gallery is made by another descriptor model'))).toBe(true);
    s.stop();
    await other.stop();
  });
});

describe('kiosk status', () => {
  it('names the descriptor model and the gallery version', () => {
    const store = new GalleryStore(join(dir, 'gallery.db'), { modelId: MODEL, dim: DIM });
    store.apply(delta({ version: 3, upserts: [tpl('t1', 'nip-1', 1)] }));
    const { log } = memoryLogger();
    const s = new GallerySync({ store, apiUrl: 'http://127.0.0.1:9', terminalId: 'k', secret: 's', log });
    const kiosk = new Kiosk(
      { terminalId: 'k', secret: 's', mqttUrl: 'mqtt://127.0.0.1:9', dataDir: dir },
      log,
      {
        face: { modelVersion: MODEL, gallery: s },
      },
    );
    const st: StatusPayload = kiosk.status();
    expect(st).toMatchObject({ modelVersion: MODEL, galleryVersion: 3, outboxDepth: 0 });
    kiosk.outbox.close();
    store.close();
  });
});
