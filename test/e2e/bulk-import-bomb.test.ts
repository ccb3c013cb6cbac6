/**
 * Issue #12, finding 6: `enroll:bulk` with a small ZIP holding a 1 GiB entry (zeros, deflated by
 * fflate as a stream: about 1 MB) took the whole batch down at 2.5 GB. Now the entry is refused from
 * its declared size, an entry whose header lies about its size is cut off while inflating, the good
 * photos are enrolled, and the import's peak memory (printed) stays small.
 */
import { closeSync, createWriteStream, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, Cluster } from '../support/cluster.ts';
import { type FixturePhotos, fixturePhotos } from '../support/face-fixtures.ts';
import { FFMPEG_MISSING } from '../support/faces.ts';
import { childEnv, ROOT, runToEnd } from '../support/proc.ts';
import { nip } from '../support/punches.ts';
import { skipNotice } from '../support/skip-notice.ts';

const MiB = 1024 * 1024;

/** Streams a ZIP to `file`: stored photos, then entries of `mib` MiB of zeros deflated chunk by chunk. */
function writeZip(
  file: string,
  photos: Record<string, Buffer>,
  zeros: Record<string, number>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file);
    out.on('close', resolve).on('error', reject);
    const zip = new Zip((err, chunk, final) => {
      if (err) return reject(err);
      out.write(chunk);
      if (final) out.end();
    });
    for (const [name, data] of Object.entries(photos)) {
      const f = new ZipPassThrough(name);
      zip.add(f);
      f.push(data, true);
    }
    const block = new Uint8Array(MiB);
    for (const [name, mib] of Object.entries(zeros)) {
      const f = new ZipDeflate(name, { level: 1 });
      zip.add(f);
      for (let i = 0; i < mib; i++) f.push(block, i === mib - 1);
    }
    zip.end();
  });
}

/** Makes the central directory declare `size` bytes for `name` (a header that lies). */
function declareSize(file: string, name: string, size: number): void {
  const fd = openSync(file, 'r+');
  const buf = readFileSync(file);
  for (let i = buf.length - 46; i >= 0; i--) {
    if (buf.readUInt32LE(i) !== 0x02014b50) continue;
    const len = buf.readUInt16LE(i + 28);
    if (buf.toString('utf8', i + 46, i + 46 + len) !== name) continue;
    const field = Buffer.alloc(4);
    field.writeUInt32LE(size);
    writeSync(fd, field, 0, 4, i + 24);
  }
  closeSync(fd);
}

function runImport(zip: string, port: number) {
  const args = ['--import', 'tsx', join(ROOT, 'backend/faces/bulk-import.ts'), '--zip', zip];
  return runToEnd(process.execPath, [...args, '--url', `http://127.0.0.1:${port}`], {
    cwd: ROOT,
    env: childEnv({ ADMIN_PASSWORD }),
  });
}

describe('enroll:bulk with a ZIP bomb', skipNotice(FFMPEG_MISSING), () => {
  let c: Cluster;
  let f: FixturePhotos;
  const tmp = mkdtempSync(join(tmpdir(), 'att-bomb-'));
  beforeAll(async () => {
    [c, f] = await Promise.all([Cluster.start({ db: 'sqlite' }), fixturePhotos()]);
    await c.createEmployee(nip(41), 'Grace Hopper');
    await c.createEmployee(nip(42), 'Bomb One');
    await c.createEmployee(nip(43), 'Bomb Two');
  });
  afterAll(async () => {
    await c.stop();
  });

  it('refuses the 1 GiB entry and the lying one, enrolls the good photos, memory bounded', {
    timeout: 180_000,
  }, async () => {
    const zip = join(tmp, 'bomb.zip');
    const [one, two] = f.enroll.grace.map((p) => readFileSync(p)) as [Buffer, Buffer];
    await writeZip(
      zip,
      { [`${nip(41)}_1.jpg`]: one, [`${nip(41)}_2.jpg`]: two },
      { [`${nip(42)}.jpg`]: 1024, [`${nip(43)}.jpg`]: 64 },
    );
    // The 64 MiB entry's header claims 1000 bytes: only inflating shows it.
    declareSize(zip, `${nip(43)}.jpg`, 1000);
    const r = await runImport(zip, c.httpPort);
    const summary = JSON.parse(r.stdout.trim()) as Record<string, number>;
    process.stdout.write(
      `enroll:bulk on a ${readFileSync(zip).length} byte ZIP with a 1 GiB entry: peak RSS ${summary.peakRssMb} MB\n`,
    );
    expect(summary).toMatchObject({ employees: 1, enrolled: 1, refused: 0, refusedEntries: 2 });
    expect(r.stderr).toMatch(new RegExp(`refused entry ${nip(42)}\\.jpg: declared size 1073741824 bytes`));
    expect(r.stderr).toMatch(
      new RegExp(`refused entry ${nip(43)}\\.jpg: inflates beyond its declared size of 1000`),
    );
    expect(r.status).toBe(1);
    expect(summary.peakRssMb).toBeLessThan(400);
    const list = await c.api<Array<{ id: string }>>('GET', `/api/employees/${nip(41)}/faces`);
    expect(list.body.length).toBe(1);
  });

  it('enrollment refusals name neither temporary files nor ffmpeg internals', async () => {
    const jpeg = readFileSync(f.enroll.grace[0] as string);
    const photos = [
      Buffer.from('not a jpeg at all, just text'.repeat(10)),
      jpeg.subarray(0, Math.floor(jpeg.length / 3)), // cut short
      Buffer.concat([jpeg.subarray(0, 200), Buffer.alloc(5000, 0xff)]), // a header, then garbage
    ];
    const r = await c.api<{ error: { code: string; message: string } }>(
      'POST',
      `/api/employees/${nip(42)}/faces`,
      {
        photos: photos.map((p) => p.toString('base64')),
      },
    );
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body.error.message).not.toMatch(
      /\/tmp|att-enroll|\.img|ffmpeg|Invalid data|stream|codec|at \w+ \(/i,
    );
  });
});
