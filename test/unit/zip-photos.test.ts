/** enroll:bulk's ZIP reader (issue #12, finding 6): limits checked before inflating, and while inflating. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ZIP_LIMITS, readZipPhotos, type ZipLimits } from '../../backend/faces/zip-photos.ts';

const dir = mkdtempSync(join(tmpdir(), 'att-zip-'));
let n = 0;
function zipFile(files: Record<string, Uint8Array>, patch?: (z: Buffer) => void): string {
  const z = Buffer.from(zipSync(files));
  patch?.(z);
  const p = join(dir, `${n++}.zip`);
  writeFileSync(p, z);
  return p;
}
const photo = (size: number, seed = 1) => new Uint8Array(size).map((_, i) => (i * seed) % 251);
const limits = (l: Partial<ZipLimits>): ZipLimits => ({ ...DEFAULT_ZIP_LIMITS, ...l });

/** Sets the uncompressed size the central directory declares for the entry named `name`. */
function declareSize(z: Buffer, name: string, size: number): void {
  for (let i = z.length - 46; i >= 0; i--) {
    if (z.readUInt32LE(i) !== 0x02014b50) continue;
    const len = z.readUInt16LE(i + 28);
    if (z.toString('utf8', i + 46, i + 46 + len) === name) z.writeUInt32LE(size, i + 24);
  }
}

describe('readZipPhotos', () => {
  it('reads the photos, skips other files', async () => {
    const a = photo(1000);
    const r = await readZipPhotos(zipFile({ '1.jpg': a, 'x/2.png': photo(10), 'notes.txt': photo(5) }));
    expect(r.refused).toEqual([]);
    expect(r.files.map((f) => [f.path, f.data.length])).toEqual([
      ['1.jpg', 1000],
      ['x/2.png', 10],
    ]);
    expect(Buffer.compare(r.files[0]?.data as Buffer, Buffer.from(a))).toBe(0);
  });

  it('refuses an entry declared over the per-photo limit without inflating it, and goes on', async () => {
    const r = await readZipPhotos(
      zipFile({ 'big.jpg': new Uint8Array(5000), 'ok.jpg': photo(100) }),
      limits({ maxPhotoBytes: 4000 }),
    );
    expect(r.files.map((f) => f.path)).toEqual(['ok.jpg']);
    expect(r.refused).toEqual([
      { path: 'big.jpg', reason: expect.stringMatching(/declared size 5000 .*per-photo limit/) },
    ]);
  });

  it('cuts off an entry that inflates beyond its declared size (a lying header)', async () => {
    const file = zipFile({ 'liar.jpg': new Uint8Array(3_000_000), 'ok.jpg': photo(100) }, (z) =>
      declareSize(z, 'liar.jpg', 10),
    );
    const r = await readZipPhotos(file);
    expect(r.files.map((f) => f.path)).toEqual(['ok.jpg']);
    expect(r.refused).toEqual([
      { path: 'liar.jpg', reason: 'inflates beyond its declared size of 10 bytes' },
    ]);
  });

  it('bounds the total, the number of entries and the path length', async () => {
    const total = await readZipPhotos(
      zipFile({ 'a.jpg': photo(600), 'b.jpg': photo(600), 'c.jpg': photo(300) }),
      limits({ maxTotalBytes: 1000 }),
    );
    expect(total.files.map((f) => f.path)).toEqual(['a.jpg', 'c.jpg']);
    expect(total.refused[0]?.reason).toMatch(/total limit/);
    const many = await readZipPhotos(
      zipFile({ 'a.jpg': photo(1), 'b.jpg': photo(1), 'c.jpg': photo(1) }),
      limits({ maxEntries: 2 }),
    );
    expect(many.files).toHaveLength(2);
    expect(many.refused).toEqual([{ path: '(archive)', reason: '1 entries past the first 2 ignored' }]);
    const long = `${'d/'.repeat(200)}1.jpg`;
    const path = await readZipPhotos(zipFile({ [long]: photo(1), 'ok.jpg': photo(1) }));
    expect(path.files.map((f) => f.path)).toEqual(['ok.jpg']);
    expect(path.refused[0]?.reason).toBe('path longer than 255 bytes');
  });

  it('refuses a file that is no ZIP', async () => {
    const p = join(dir, 'not.zip');
    writeFileSync(p, 'hello');
    await expect(readZipPhotos(p)).rejects.toThrow(/not a ZIP/);
  });
});
