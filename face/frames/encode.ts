import { QUIET_ARGS, runCollect } from './ffmpeg.ts';

export interface EncodeOptions {
  /** Seconds each image is shown. Default 0.5. */
  secondsPerImage?: number;
  fps?: number;
  width?: number;
  height?: number;
  ffmpegPath?: string;
  /** Enlarge pictures smaller than width x height (default false: centre them on grey, like a face at a distance). */
  upscale?: boolean;
}

/**
 * Encodes still images into an H.264 video (letterboxed to width x height), for tests and demos
 * that must exercise the real video decode path. Pictures of different sizes are fine.
 */
export async function encodeVideoFromImages(
  images: string[],
  out: string,
  opts: EncodeOptions = {},
): Promise<void> {
  if (images.length === 0) throw new Error('encodeVideoFromImages: no images');
  const w = opts.width ?? 640;
  const h = opts.height ?? 480;
  const dur = opts.secondsPerImage ?? 0.5;
  const fps = opts.fps ?? 10;
  const scaleW = opts.upscale ? String(w) : `'min(${w},iw)'`;
  const scaleH = opts.upscale ? String(h) : `'min(${h},ih)'`;
  const inputs: string[] = [];
  const chains: string[] = [];
  images.forEach((img, i) => {
    inputs.push('-loop', '1', '-framerate', String(fps), '-t', String(dur), '-i', img);
    chains.push(
      `[${i}:v]scale=${scaleW}:${scaleH}:force_original_aspect_ratio=decrease,` +
        `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=gray,setsar=1,fps=${fps}[v${i}]`,
    );
  });
  const concat = `${images.map((_, i) => `[v${i}]`).join('')}concat=n=${images.length}:v=1:a=0,format=yuv420p[out]`;
  const args = [
    ...QUIET_ARGS,
    '-y',
    ...inputs,
    '-filter_complex',
    [...chains, concat].join(';'),
    '-map',
    '[out]',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '18',
    out,
  ];
  const r = await runCollect(opts.ffmpegPath ?? 'ffmpeg', args, 120_000);
  if (r.spawnError) throw new Error(`ffmpeg not available: ${r.spawnError.message}`);
  if (r.code !== 0) throw new Error(`ffmpeg failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
}
