import { existsSync } from 'node:fs';
import { FfmpegFrameSource, PPM_OUTPUT_ARGS, QUIET_ARGS, runCollect, videoFilter } from './ffmpeg.ts';
import type { FrameItem, FrameSource } from './types.ts';

export interface VideoFileOptions {
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Resample to this rate (ffmpeg fps filter); timestamps follow it. Default: the file's own rate. */
  fps?: number;
  /** Letterbox to this size. */
  width?: number;
  height?: number;
  /** Read at the file's native rate (`-re`) and drop stale frames, i.e. behave like a camera. */
  realtime?: boolean;
}

/** Frame rate of the first video stream, from ffprobe; undefined if it cannot be read. */
export async function probeFps(path: string, ffprobePath = 'ffprobe'): Promise<number | undefined> {
  const r = await runCollect(ffprobePath, [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=avg_frame_rate,r_frame_rate',
    '-of',
    'csv=p=0',
    path,
  ]);
  if (r.code !== 0) return undefined;
  for (const part of r.stdout.toString('utf8').trim().split(/[,\n]/)) {
    const [n, d] = part.split('/').map(Number);
    if (n !== undefined && d !== undefined && n > 0 && d > 0) return n / d;
  }
  return undefined;
}

export function buildVideoFileArgs(path: string, opts: VideoFileOptions = {}): string[] {
  return [
    ...QUIET_ARGS,
    ...(opts.realtime ? ['-re'] : []),
    '-i',
    path,
    ...videoFilter({
      ...(opts.fps !== undefined ? { fps: opts.fps } : {}),
      ...(opts.width !== undefined ? { width: opts.width } : {}),
      ...(opts.height !== undefined ? { height: opts.height } : {}),
    }),
    ...PPM_OUTPUT_ARGS,
  ];
}

/** A video file decoded by ffmpeg. Timestamps are media time in ms, starting at 0. */
export class VideoFileSource implements FrameSource {
  readonly description: string;
  private inner: FfmpegFrameSource | undefined;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly opts: VideoFileOptions = {},
  ) {
    this.description = `video:${path}`;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FrameItem> {
    if (!existsSync(this.path)) {
      yield { kind: 'error', code: 'NOT_FOUND', message: 'video file not found', index: 0, path: this.path };
      return;
    }
    const fps = this.opts.fps ?? (await probeFps(this.path, this.opts.ffprobePath)) ?? 25;
    if (this.closed) return;
    this.inner = new FfmpegFrameSource({
      ffmpeg: { cmd: this.opts.ffmpegPath ?? 'ffmpeg', args: buildVideoFileArgs(this.path, this.opts) },
      description: this.description,
      timestamp: (i) => (i * 1000) / fps,
      dropStale: this.opts.realtime ?? false,
    });
    yield* this.inner;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.inner?.close();
  }
}
