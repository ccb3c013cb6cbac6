import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CameraSource,
  decodeImageFile,
  encodeVideoFromImages,
  type FrameItem,
  ImageFolderSource,
  listImages,
  VideoFileSource,
} from '../../face/frames/index.ts';
import { DEV, hasFfmpeg } from '../support/faces.ts';

const ready = hasFfmpeg && existsSync(DEV);

async function collect(src: AsyncIterable<FrameItem>): Promise<FrameItem[]> {
  const out: FrameItem[] = [];
  for await (const it of src) out.push(it);
  return out;
}

describe.skipIf(!ready)('frame sources (ffmpeg)', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'frames-test-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('decodes a JPEG to RGB, optionally letterboxed without enlarging', async () => {
    const f = await decodeImageFile(join(DEV, 'bbt_howard', '1.jpg'));
    expect(f).toMatchObject({ kind: 'frame', width: 150, height: 150 });
    const boxed = await decodeImageFile(join(DEV, 'bbt_howard', '1.jpg'), {
      width: 640,
      height: 480,
      noUpscale: true,
    });
    if (boxed.kind !== 'frame') throw new Error(boxed.message);
    expect(boxed.data.length).toBe(640 * 480 * 3);
    // Corner is the grey padding; the picture stays 150 px in the middle.
    expect([boxed.data[0], boxed.data[1], boxed.data[2]]).toEqual([128, 128, 128]);
  });

  it('a corrupt, a truncated, a non-image and a missing file are errors with reasons, not crashes', async () => {
    const garbage = join(tmp, 'garbage.jpg');
    await writeFile(garbage, Buffer.from('definitely not a jpeg'));
    const truncated = join(tmp, 'truncated.jpg');
    const jpeg = await import('node:fs').then((fs) => fs.readFileSync(join(DEV, 'barack_obama', '1.jpg')));
    await writeFile(truncated, jpeg.subarray(0, 6000));
    const items = await collect(
      new ImageFolderSource(tmp, {
        files: [join(DEV, 'bbt_howard', '1.jpg'), garbage, truncated, join(tmp, 'missing.jpg')],
      }),
    );
    expect(items.map((i) => i.kind)).toEqual(['frame', 'error', 'error', 'error']);
    expect(items[1]).toMatchObject({ code: 'DECODE_FAILED', path: garbage, index: 1 });
    expect(items[2]).toMatchObject({ code: 'DECODE_FAILED', path: truncated });
    expect(items[3]).toMatchObject({ code: 'NOT_FOUND' });
    expect(items.every((i) => i.kind === 'frame' || i.message.length > 0)).toBe(true);
    // Synthetic timestamps: index * interval.
    expect(items[0]).toMatchObject({ ts: 0 });
  });

  it('lists a folder in natural order', async () => {
    const files = await listImages(join(DEV, 'colin_powell'));
    expect(files.map((f) => f.split('/').pop())).toEqual([...Array(10)].map((_, i) => `${i + 1}.jpg`));
  });

  it('video file: real decode of an H.264 file made by ffmpeg, media timestamps', async () => {
    const video = join(tmp, 'two.mp4');
    await encodeVideoFromImages([join(DEV, 'bbt_howard', '1.jpg'), join(DEV, 'bbt_penny', '1.jpg')], video, {
      secondsPerImage: 0.3,
      fps: 10,
    });
    const items = await collect(new VideoFileSource(video));
    expect(items).toHaveLength(6);
    expect(items.every((i) => i.kind === 'frame' && i.width === 640 && i.height === 480)).toBe(true);
    expect(items.map((i) => (i.kind === 'frame' ? Math.round(i.ts) : -1))).toEqual([
      0, 100, 200, 300, 400, 500,
    ]);
  });

  it('breaking out of a video early stops ffmpeg', async () => {
    const video = join(tmp, 'long.mp4');
    await encodeVideoFromImages([join(DEV, 'bbt_howard', '1.jpg')], video, { secondsPerImage: 5, fps: 10 });
    const src = new VideoFileSource(video);
    let n = 0;
    for await (const it of src) {
      expect(it.kind).toBe('frame');
      if (++n === 2) break;
    }
    expect(n).toBe(2);
  });

  it('a broken video or a missing camera yields one error and ends', async () => {
    const bad = join(tmp, 'bad.mp4');
    await writeFile(bad, Buffer.alloc(5000, 7));
    const items = await collect(new VideoFileSource(bad));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'error', code: 'SOURCE_FAILED' });
    expect(await collect(new VideoFileSource(join(tmp, 'none.mp4')))).toMatchObject([{ code: 'NOT_FOUND' }]);
    const cam = await collect(new CameraSource({ kind: 'v4l2', device: join(tmp, 'no-such-video-device') }));
    expect(cam).toMatchObject([{ kind: 'error', code: 'SOURCE_FAILED' }]);
    const pi = await collect(new CameraSource({ kind: 'rpicam', rpicamPath: join(tmp, 'no-rpicam-vid') }));
    expect(pi).toMatchObject([{ kind: 'error', code: 'NO_DECODER' }]);
  });
});
