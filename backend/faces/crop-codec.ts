/**
 * A kept enrollment crop (face/align.ts KeptFace: the face warped upright to the
 * model-neutral KEEP_TEMPLATE, 256 px, 2.5x the landmark box, with its 68 landmarks) to bytes and
 * back: the picture as JPEG (a few tens of kB instead of 192 kB raw), the landmarks as float32, so
 * any shipped model can align and describe it again (descriptor-migrate.ts), and a future model
 * can run its own detector on the picture. JPEG through Debian's ffmpeg over pipes: no file ever
 * holds the face in clear.
 *
 * Layout: 'FC' 1 | u16 size | u16 landmark count | float32 LE landmarks | JPEG.
 */
import { spawn } from 'node:child_process';
import type { KeptFace } from '../../face/align.ts';
import { AppError } from '../errors.ts';

const MAGIC = [0x46, 0x43, 1];

function ffmpeg(args: string[], input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (c: Buffer) => out.push(c));
    p.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`ffmpeg ${code}: ${err.trim()}`)),
    );
    p.stdin.on('error', () => undefined); // ffmpeg exiting early is reported by 'close'
    p.stdin.end(input);
  });
}

export async function encodeKeptFace(k: KeptFace, quality = 3): Promise<Buffer> {
  const jpeg = await ffmpeg(
    [
      ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${k.size}x${k.size}`, '-i', 'pipe:0'],
      ...['-frames:v', '1', '-q:v', String(quality), '-pix_fmt', 'yuvj444p', '-f', 'mjpeg', 'pipe:1'],
    ],
    Buffer.from(k.data.buffer, k.data.byteOffset, k.data.byteLength),
  );
  const head = Buffer.alloc(7);
  head.set(MAGIC, 0);
  head.writeUInt16LE(k.size, 3);
  head.writeUInt16LE(k.landmarks.length, 5);
  const lm = Buffer.alloc(k.landmarks.length * 4);
  for (let i = 0; i < k.landmarks.length; i++) lm.writeFloatLE(k.landmarks[i] as number, i * 4);
  return Buffer.concat([head, lm, jpeg]);
}

export async function decodeKeptFace(b: Buffer): Promise<KeptFace> {
  if (b.length < 7 || MAGIC.some((m, i) => b[i] !== m))
    throw new AppError('INTERNAL', 'not a kept face crop');
  const size = b.readUInt16LE(3);
  const n = b.readUInt16LE(5);
  const landmarks = new Float32Array(n);
  for (let i = 0; i < n; i++) landmarks[i] = b.readFloatLE(7 + i * 4);
  const rgb = await ffmpeg(
    ['-f', 'mjpeg', '-i', 'pipe:0', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    b.subarray(7 + n * 4),
  );
  if (rgb.length !== size * size * 3)
    throw new AppError('INTERNAL', `kept face crop: ${rgb.length} bytes for ${size}px`);
  return { size, landmarks, data: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.byteLength) };
}
