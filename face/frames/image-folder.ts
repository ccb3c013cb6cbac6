import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { PPM_OUTPUT_ARGS, QUIET_ARGS, runCollect, videoFilter } from './ffmpeg.ts';
import { PpmStreamParser } from './ppm.ts';
import type { Frame, FrameError, FrameItem, FrameSource } from './types.ts';

export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.ppm'];

export interface DecodeOptions {
  ffmpegPath?: string;
  /** Letterbox every picture into this size (grey bars), e.g. 640x480 to mimic a camera frame. */
  width?: number;
  height?: number;
  /**
   * Pad without enlarging: with width/height set, pictures smaller than the box are centred on
   * grey instead of being scaled up (a 150 px face crop stays a 150 px face in a 640x480 frame).
   */
  noUpscale?: boolean;
  /** Without width/height: shrink (never enlarge) so that neither side exceeds this. */
  maxSide?: number;
  ts?: number;
  index?: number;
}

/**
 * Decodes one still image with ffmpeg into RGB. Never throws: a missing, corrupt or truncated file
 * gives a FrameError. Strict: ffmpeg reporting any error while decoding (e.g. "overread" on a
 * truncated JPEG, which still yields a half-grey picture) counts as a failure.
 */
export async function decodeImageFile(path: string, opts: DecodeOptions = {}): Promise<Frame | FrameError> {
  const index = opts.index ?? 0;
  const fail = (code: FrameError['code'], message: string): FrameError => ({
    kind: 'error',
    code,
    message,
    index,
    path,
  });
  try {
    const s = await stat(path);
    if (!s.isFile()) return fail('NOT_FOUND', 'not a file');
  } catch {
    return fail('NOT_FOUND', 'file not found');
  }
  let filter: string[];
  if (opts.width !== undefined && opts.height !== undefined && opts.noUpscale) {
    const { width: w, height: h } = opts;
    filter = [
      '-vf',
      `scale='min(${w},iw)':'min(${h},ih)':force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=gray`,
    ];
  } else if (opts.maxSide !== undefined && opts.width === undefined && opts.height === undefined) {
    const m = opts.maxSide;
    filter = ['-vf', `scale='min(iw,${m})':'min(ih,${m})':force_original_aspect_ratio=decrease`];
  } else {
    filter = videoFilter({
      ...(opts.width !== undefined ? { width: opts.width } : {}),
      ...(opts.height !== undefined ? { height: opts.height } : {}),
    });
  }
  const args = [...QUIET_ARGS, '-i', path, '-frames:v', '1', ...filter, ...PPM_OUTPUT_ARGS];
  const r = await runCollect(opts.ffmpegPath ?? 'ffmpeg', args);
  if (r.spawnError) {
    return fail('NO_DECODER', `ffmpeg not available: ${r.spawnError.message}`);
  }
  const why = r.stderr.trim().split('\n').slice(-2).join(' | ');
  if (r.code !== 0 || why !== '') {
    return fail('DECODE_FAILED', `cannot decode image: ${why || `ffmpeg exit ${r.code}`}`);
  }
  let images: ReturnType<PpmStreamParser['push']>;
  try {
    images = new PpmStreamParser().push(r.stdout);
  } catch (e) {
    return fail('DECODE_FAILED', `cannot decode image: ${(e as Error).message}`);
  }
  const img = images[0];
  if (!img) return fail('DECODE_FAILED', 'cannot decode image: no picture produced');
  return {
    kind: 'frame',
    data: img.data,
    width: img.width,
    height: img.height,
    ts: opts.ts ?? 0,
    index,
    path,
  };
}

/** Natural order: 2.jpg before 10.jpg. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}

/** Image files (by extension) directly inside dir, in natural order. */
export async function listImages(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  // A link to a picture counts as the picture (folders assembled from links, e.g. test sets).
  const isFile = async (e: (typeof entries)[number]) =>
    e.isFile() ||
    (e.isSymbolicLink() && (await stat(join(dir, e.name)).catch(() => undefined))?.isFile() === true);
  const files = [];
  for (const e of entries)
    if (IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase()) && (await isFile(e))) files.push(e);
  return files
    .map((e) => e.name)
    .sort(naturalCompare)
    .map((n) => join(dir, n));
}

export interface ImageFolderOptions extends Omit<DecodeOptions, 'ts' | 'index'> {
  /** Synthetic time between consecutive frames, ms (timestamps are index * interval). Default 100. */
  intervalMs?: number;
  /**
   * Frames per picture (default 1): a picture held in front of the camera for a moment. A
   * recognition needs several agreeing frames, so one frame per picture recognises nobody.
   */
  repeat?: number;
  /** Explicit file list instead of listing the folder. */
  files?: string[];
}

/** Every image in a folder (not recursive), `repeat` frames each; undecodable files yield FrameErrors. */
export class ImageFolderSource implements FrameSource {
  readonly description: string;
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly opts: ImageFolderOptions = {},
  ) {
    this.description = `folder:${dir}`;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FrameItem> {
    let files: string[];
    try {
      files = this.opts.files ?? (await listImages(this.dir));
    } catch (e) {
      yield { kind: 'error', code: 'NOT_FOUND', message: (e as Error).message, index: 0, path: this.dir };
      return;
    }
    const interval = this.opts.intervalMs ?? 100;
    const repeat = Math.max(1, Math.floor(this.opts.repeat ?? 1));
    // Decode one picture ahead so ffmpeg start-up overlaps the consumer's work.
    let next: Promise<Frame | FrameError> | undefined;
    const decode = (i: number) =>
      decodeImageFile(files[i] as string, { ...this.opts, index: i * repeat, ts: i * repeat * interval });
    for (let i = 0; i < files.length && !this.closed; i++) {
      const current = next ?? decode(i);
      next = i + 1 < files.length ? decode(i + 1) : undefined;
      const item = await current;
      if (item.kind !== 'frame') {
        yield item;
        continue;
      }
      for (let k = 0; k < repeat && !this.closed; k++) {
        yield k === 0 ? item : { ...item, index: item.index + k, ts: item.ts + k * interval };
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
