/**
 * Kept enrollment crops at rest (backend/faces): AES-256-GCM with a key file created 0600 on first use, bound to
 * the row it was sealed for; and the crop's bytes (JPEG through ffmpeg + landmarks) round-trip.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeKeptFace, encodeKeptFace } from '../../backend/faces/crop-codec.ts';
import { CropVault } from '../../backend/faces/crop-vault.ts';
import { FFMPEG_MISSING } from '../support/faces.ts';
import { skipNotice } from '../support/skip-notice.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'crop-vault-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('crop vault', () => {
  it('creates its key 0600 on first use and reuses it; a sealed crop opens only with that key and row id', () => {
    const file = join(dir, 'sub', 'face-crops.key');
    const v = new CropVault(file);
    const plain = Buffer.from('a face, in clear'.repeat(20));
    const sealed = v.seal('row-1', plain);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(sealed.includes(plain.subarray(0, 16))).toBe(false);
    expect(v.seal('row-1', plain).equals(sealed)).toBe(false); // a fresh IV each time
    // Another process with the same key file opens it.
    expect(new CropVault(file).open('row-1', sealed).equals(plain)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[A-Za-z0-9+/=]{44}$/);
    // Moved to another row, altered, or another key: refused.
    expect(() => v.open('row-2', sealed)).toThrow();
    const altered = Buffer.from(sealed);
    altered[altered.length - 1] = (altered.at(-1) as number) ^ 1;
    expect(() => v.open('row-1', altered)).toThrow();
    expect(() => new CropVault(join(dir, 'other.key')).open('row-1', sealed)).toThrow();
  });

  it('backend instances starting together end up with one key, and none reads a half-written one', async () => {
    const file = join(dir, 'shared', 'face-crops.key');
    const vault = join(import.meta.dirname, '..', '..', 'backend', 'faces', 'crop-vault.ts');
    const script = `import { CropVault } from ${JSON.stringify(vault)};
      const v = new CropVault(${JSON.stringify(file)});
      process.stdout.write(v.seal('row', Buffer.from('x')).toString('base64'));`;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
        let out = '';
        let err = '';
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
        });
        child.stderr.on('data', (b: Buffer) => {
          err += b.toString();
        });
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
      });
    const sealed = await Promise.all([run(), run(), run(), run()]);
    const v = new CropVault(file);
    for (const s of sealed) expect(v.open('row', Buffer.from(s, 'base64')).toString()).toBe('x');
    expect(readdirSync(join(dir, 'shared'))).toEqual(['face-crops.key']);
  });
});

describe('kept crop codec', skipNotice(FFMPEG_MISSING), () => {
  it('a 256 px crop and its landmarks survive JPEG closely, in a fraction of the raw size', async () => {
    const size = 256;
    const data = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const i = (y * size + x) * 3;
        data[i] = x;
        data[i + 1] = y;
        data[i + 2] = 128 + Math.round(60 * Math.sin((x + y) / 20));
      }
    const landmarks = Float32Array.from({ length: 136 }, (_, i) => 40 + i * 1.25);
    const bytes = await encodeKeptFace({ size, data, landmarks });
    expect(bytes.length).toBeLessThan(data.length / 4);
    const back = await decodeKeptFace(bytes);
    expect(back.size).toBe(size);
    expect([...back.landmarks]).toEqual([...landmarks]);
    let err = 0;
    for (let i = 0; i < data.length; i++) err += Math.abs((back.data[i] as number) - (data[i] as number));
    expect(err / data.length).toBeLessThan(3);
    await expect(decodeKeptFace(Buffer.from('not a crop'))).rejects.toThrow();
  });
});
