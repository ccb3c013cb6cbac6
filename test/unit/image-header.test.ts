import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageRefusal, jpegFrameOffset, readImageHeader } from '../../face/frames/image-header.ts';
import { FFMPEG_MISSING } from '../support/faces.ts';
import { skipNotice } from '../support/skip-notice.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'faces', 'grace_hopper.jpg');

describe('readImageHeader', () => {
  it('reads a JPEG’s size from its frame header, and a patched header is believed before decoding', () => {
    const jpeg = readFileSync(FIXTURE);
    const h = readImageHeader(jpeg);
    expect(h?.format).toBe('jpeg');
    expect(h?.width).toBeGreaterThan(100);
    const sof = jpegFrameOffset(jpeg) as number;
    jpeg.writeUInt16BE(16000, sof + 5);
    jpeg.writeUInt16BE(16000, sof + 7);
    expect(readImageHeader(jpeg)).toEqual({ format: 'jpeg', width: 16000, height: 16000 });
    expect(imageRefusal(jpeg)?.code).toBe('IMAGE_TOO_LARGE');
    expect(imageRefusal(readFileSync(FIXTURE))).toBeNull();
  });

  it('refuses what is not a JPEG, PNG or WebP, and a JPEG cut before its frame header', () => {
    expect(imageRefusal(Buffer.from('GIF89a....'))?.code).toBe('CORRUPT_IMAGE');
    expect(imageRefusal(readFileSync(FIXTURE).subarray(0, 20))?.code).toBe('CORRUPT_IMAGE');
  });

  it('agrees with ffmpeg on PNG and WebP', skipNotice(FFMPEG_MISSING), () => {
    const dir = mkdtempSync(join(tmpdir(), 'att-header-'));
    for (const ext of ['png', 'webp']) {
      const out = join(dir, `a.${ext}`);
      execFileSync('ffmpeg', ['-loglevel', 'error', '-i', FIXTURE, '-vf', 'scale=321:123', out]);
      expect(readImageHeader(readFileSync(out))).toEqual({ format: ext, width: 321, height: 123 });
    }
  });
});
