import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModelDir, loadFaceApi, modelWeightsHash, tfjsNodeAvailable } from '../../face/tf-backend.ts';

const require = createRequire(import.meta.url);
const tfjsNodeInstalled = (() => {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

describe('tf backend', () => {
  it('models come from the package on disk', () => {
    const dir = defaultModelDir();
    expect(dir).toMatch(/node_modules[/\\]@vladmandic[/\\]face-api[/\\]model$/);
    expect(existsSync(join(dir, 'face_recognition_model-weights_manifest.json'))).toBe(true);
    expect(modelWeightsHash('faceRecognitionNet')).toMatch(/^[0-9a-f]{8}$/);
  });

  it('tfjs-node detection never throws', async () => {
    expect(await tfjsNodeAvailable(() => Promise.reject(new Error('Cannot find module')))).toBe(false);
    expect(await tfjsNodeAvailable(() => Promise.resolve({}))).toBe(true);
    expect(await tfjsNodeAvailable()).toBe(tfjsNodeInstalled);
  });

  it('loads face-api on tfjs-node when installed, else WASM (no setWasmPaths), and runs a net', async () => {
    // Make sure nothing is fetched over the network.
    const realFetch = globalThis.fetch;
    globalThis.fetch = () => Promise.reject(new Error('network access during model load'));
    try {
      const rt = await loadFaceApi({ nets: ['tinyFaceDetector'] });
      expect(rt.backend).toBe(tfjsNodeInstalled ? 'tensorflow' : 'wasm');
      expect(rt.tf.getBackend()).toBe(rt.backend);
      expect(rt.loadedNets).toContain('tinyFaceDetector');
      expect(rt.faceApiVersion).toBe('1.7.15');
      const img = rt.tf.zeros([120, 160, 3], 'int32');
      const faces = await rt.faceapi.nets.tinyFaceDetector.locateFaces(
        img as never,
        new rt.faceapi.TinyFaceDetectorOptions({ inputSize: 128 }),
      );
      img.dispose();
      expect(faces).toEqual([]);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
