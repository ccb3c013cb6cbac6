/** Frame sources on real ffmpeg, with the committed fixtures (test/support/face-fixtures.ts). */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
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
import { FIXTURE_PEOPLE, NO_FACE } from '../support/face-fixtures.ts';
import { FFMPEG_MISSING } from '../support/faces.ts';
import { skipNotice } from '../support/skip-notice.ts';

const GRACE = FIXTURE_PEOPLE.grace.file;
const EILEEN = FIXTURE_PEOPLE.eileen.file;

async function collect(src: AsyncIterable<FrameItem>): Promise<FrameItem[]> {
  const out: FrameItem[] = [];
  for await (const it of src) out.push(it);
  return out;
}

describe('frame sources (ffmpeg)', skipNotice(FFMPEG_MISSING), () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'frames-test-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('decodes a JPEG to RGB, optionally letterboxed without enlarging', async () => {
    const f = await decodeImageFile(NO_FACE);
    expect(f).toMatchObject({ kind: 'frame', width: 400, height: 266 });
    const boxed = await decodeImageFile(NO_FACE, { width: 640, height: 480, noUpscale: true });
    if (boxed.kind !== 'frame') throw new Error(boxed.message);
    expect(boxed.data.length).toBe(640 * 480 * 3);
    // Corner is the grey padding; the picture stays 400 px wide in the middle.
    expect([boxed.data[0], boxed.data[1], boxed.data[2]]).toEqual([128, 128, 128]);
    const row = 240 * 640 * 3;
    expect([...boxed.data.subarray(row + 110 * 3, row + 111 * 3)]).toEqual([128, 128, 128]);
    expect([...boxed.data.subarray(row + 130 * 3, row + 131 * 3)]).not.toEqual([128, 128, 128]);
  });

  it('a corrupt, a truncated, a non-image and a missing file are errors with reasons, not crashes', async () => {
    const garbage = join(tmp, 'garbage.jpg');
    await writeFile(garbage, Buffer.from('definitely not a jpeg'));
    const truncated = join(tmp, 'truncated.jpg');
    const jpeg = await readFile(GRACE);
    await writeFile(truncated, jpeg.subarray(0, 6000));
    const items = await collect(
      new ImageFolderSource(tmp, {
        files: [EILEEN, garbage, truncated, join(tmp, 'missing.jpg')],
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
    const dir = join(tmp, 'folder');
    await mkdir(dir);
    for (const n of [10, 2, 1, 9, 3]) await symlink(NO_FACE, join(dir, `${n}.jpg`));
    await writeFile(join(dir, 'notes.txt'), 'not a picture');
    const files = await listImages(dir);
    expect(files.map((f) => f.split('/').pop())).toEqual(['1.jpg', '2.jpg', '3.jpg', '9.jpg', '10.jpg']);
  });

  it('video file: real decode of an H.264 file made by ffmpeg, media timestamps', async () => {
    const video = join(tmp, 'two.mp4');
    await encodeVideoFromImages([GRACE, EILEEN], video, {
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
    await encodeVideoFromImages([GRACE], video, { secondsPerImage: 5, fps: 10 });
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
