/**
 * One model per site at the kiosk (issue #5): the local gallery holds one model's templates, a
 * delta or announcement of another model makes the sync ask the kiosk to follow (store emptied,
 * then the new model's full gallery), a model the kiosk cannot run leaves everything as it was, and
 * templates of two models never meet in one gallery. Random unit vectors stand in for descriptors
 * and a fetch function stands in for the backend: no tensors, no sockets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Gallery, ModelMismatchError } from '../../face/gallery.ts';
import {
  encodeDescriptor,
  type GalleryDelta,
  type GalleryTemplate,
  PROTOCOL_VERSION,
} from '../../protocol/index.ts';
import { GalleryStore } from '../../terminal/gallery/gallery-store.ts';
import { GallerySync } from '../../terminal/gallery/gallery-sync.ts';

const OLD = 'mobilefacenet512@x#11111111/arcface112';
const NEW = 'faceapi-resnet128@x#22222222/dlib150p0.25';
const DIMS: Record<string, number> = { [OLD]: 8, [NEW]: 4 };

function unit(seed: number, dim: number): Float32Array {
  const v = new Float32Array(dim).map((_, i) => Math.sin(seed * 7.1 + i * 1.3));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

const tpl = (id: string, employeeId: string, modelId: string, seed: number): GalleryTemplate => ({
  templateId: id,
  employeeId,
  name: `Pegawai ${employeeId}`,
  modelId,
  descriptor: encodeDescriptor(unit(seed, DIMS[modelId] as number)),
});

/** The backend's gallery endpoint as a fetch function: answers `answer(since)`, records the `since`s asked. */
function backend(answer: (since: number) => GalleryDelta) {
  const asked: number[] = [];
  const fetch = (async (url: URL | string) => {
    const since = Number(new URL(String(url)).searchParams.get('since'));
    asked.push(since);
    return new Response(JSON.stringify(answer(since)), { status: 200 });
  }) as typeof globalThis.fetch;
  return { fetch, asked };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-follow-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const log = pino({ level: 'silent' });

function setup(followModel?: (modelId: string) => Promise<void>) {
  const file = join(dir, 'gallery.db');
  const store = new GalleryStore(file, { modelId: OLD, dim: DIMS[OLD] as number });
  store.apply({
    siteId: 's',
    version: 3,
    modelId: OLD,
    full: true,
    upserts: [tpl('a', 'nip-a', OLD, 1), tpl('b', 'nip-b', OLD, 2)],
    deletes: [],
  });
  // After the switch (version 7): only A was re-derived; the kiosk at 3 must get the full new gallery.
  const server = backend((since) => ({
    siteId: 's',
    version: 7,
    modelId: NEW,
    full: since < 7,
    upserts: since < 7 ? [tpl('a2', 'nip-a', NEW, 1)] : [],
    deletes: [],
  }));
  const sync = new GallerySync({
    store,
    apiUrl: 'http://backend.invalid',
    terminalId: 't',
    secret: 's',
    log,
    fetch: server.fetch,
    minBackoffMs: 10,
    ...(followModel ? { followModel } : {}),
  });
  return { file, store, sync, server };
}

describe('a kiosk follows its site’s descriptor model', () => {
  it('remembers the site’s model: a restarted kiosk starts its engine with it', () => {
    const { file, store } = setup();
    store.close();
    expect(GalleryStore.peekModelId(file)).toBe(OLD);
    expect(GalleryStore.peekModelId(join(dir, 'none.db'))).toBeUndefined();
  });

  it('on a delta of another model: the kiosk switches, the store drops the old model, the full new gallery follows', async () => {
    const switched: string[] = [];
    const ctx = setup(async (modelId) => {
      switched.push(modelId);
      ctx.store.switchModel(modelId, DIMS[modelId] as number);
    });
    ctx.sync.requestPull();
    await ctx.sync.idle();
    expect(switched).toEqual([NEW]);
    expect(ctx.store.modelId).toBe(NEW);
    expect(ctx.store.version()).toBe(7);
    expect(ctx.store.templates().map((t) => [t.employeeId, t.modelId])).toEqual([['nip-a', NEW]]);
    expect(GalleryStore.peekModelId(ctx.file)).toBe(NEW);
    // Into a gallery of the new model; the old model's vectors are nowhere.
    const g = new Gallery(NEW, DIMS[NEW] as number);
    expect(ctx.store.loadInto(g)).toEqual({ added: 1, skipped: 0 });
    ctx.store.close();
  });

  it('an announcement of another model makes the kiosk pull (and so follow)', async () => {
    const switched: string[] = [];
    const ctx = setup(async (modelId) => {
      switched.push(modelId);
      ctx.store.switchModel(modelId, DIMS[modelId] as number);
    });
    ctx.sync.onAnnouncement(
      Buffer.from(JSON.stringify({ v: PROTOCOL_VERSION, siteId: 's', version: 7, modelId: NEW })),
    );
    await ctx.sync.reached(7);
    expect(switched).toEqual([NEW]);
    expect(ctx.server.asked).toEqual([3]);
    ctx.store.close();
  });

  it('after an incremental delta of another model, asks again from 0 for the full gallery', async () => {
    const ctx = setup(async (modelId) => {
      ctx.store.switchModel(modelId, DIMS[modelId] as number);
    });
    // A backend answering incrementally (full only from 0).
    const server = backend((since) => ({
      siteId: 's',
      version: 7,
      modelId: NEW,
      full: since === 0,
      upserts: [tpl('a2', 'nip-a', NEW, 1)],
      deletes: since === 0 ? [] : ['a'],
    }));
    const sync = new GallerySync({
      store: ctx.store,
      apiUrl: 'http://backend.invalid',
      terminalId: 't',
      secret: 's',
      log,
      fetch: server.fetch,
      followModel: async (m) => {
        ctx.store.switchModel(m, DIMS[m] as number);
      },
    });
    sync.requestPull();
    await sync.idle();
    expect(server.asked).toEqual([3, 0]);
    expect(ctx.store.templates().map((t) => t.templateId)).toEqual(['a2']);
    ctx.store.close();
  });

  it('a model the kiosk cannot run: the gallery is refused whole and the old one kept', async () => {
    const ctx = setup(() => Promise.reject(new Error('not shipped')));
    ctx.sync.requestPull();
    await ctx.sync.idle();
    expect(ctx.store.modelId).toBe(OLD);
    expect(ctx.store.version()).toBe(3);
    expect(ctx.store.templates().map((t) => t.modelId)).toEqual([OLD, OLD]);
    ctx.store.close();
  });

  it('without following, nothing of another model gets in, not even one template in a delta of its own model', () => {
    const { store, sync } = setup();
    sync.stop();
    const r = store.apply({
      siteId: 's',
      version: 4,
      modelId: OLD,
      full: false,
      upserts: [tpl('c', 'nip-c', NEW, 3), tpl('d', 'nip-d', OLD, 4)],
      deletes: [],
    });
    expect(r).toMatchObject({ applied: true, upserted: 1, refused: 1 });
    expect(store.templates().every((t) => t.modelId === OLD)).toBe(true);
    // And the in-memory gallery refuses another model's template or query outright.
    const g = new Gallery(OLD, DIMS[OLD] as number);
    store.loadInto(g);
    expect(() => g.search(unit(1, DIMS[NEW] as number), NEW)).toThrow(ModelMismatchError);
    expect(() => g.add({ personId: 'x', modelId: NEW, vector: unit(1, DIMS[NEW] as number) })).toThrow(
      ModelMismatchError,
    );
    store.close();
  });
});
