import { FfmpegFrameSource, type PipeCommand, PPM_OUTPUT_ARGS, QUIET_ARGS } from './ffmpeg.ts';
import type { FrameItem, FrameSource } from './types.ts';

export interface CameraOptions {
  /** 'v4l2': USB camera read by ffmpeg. 'rpicam': Pi camera, `rpicam-vid` MJPEG piped into ffmpeg. */
  kind: 'v4l2' | 'rpicam';
  /** V4L2 device. Default /dev/video0. */
  device?: string;
  /** rpicam camera index (--camera). */
  cameraIndex?: number;
  width?: number;
  height?: number;
  fps?: number;
  /** V4L2 input pixel format; MJPEG keeps USB bandwidth low. Default 'mjpeg'. */
  inputFormat?: 'mjpeg' | 'yuyv422';
  ffmpegPath?: string;
  /** Default 'rpicam-vid' (older Raspberry Pi OS: 'libcamera-vid'). */
  rpicamPath?: string;
  /** Mirror horizontally (selfie view); does not change recognition. */
  hflip?: boolean;
}

export interface CameraCommands {
  /** rpicam-vid, whose stdout feeds ffmpeg's stdin; absent for V4L2. */
  producer?: PipeCommand;
  ffmpeg: PipeCommand;
}

/** The exact processes a camera source runs. Pure, so it is testable without a camera. */
export function buildCameraCommands(opts: CameraOptions): CameraCommands {
  const width = opts.width ?? 640;
  const height = opts.height ?? 480;
  const fps = opts.fps ?? 15;
  const ffmpegPath = opts.ffmpegPath ?? 'ffmpeg';
  // Low-latency input: do not buffer, decode as frames arrive.
  const lowDelay = ['-fflags', 'nobuffer', '-flags', 'low_delay'];
  const out = [...(opts.hflip ? ['-vf', 'hflip'] : []), ...PPM_OUTPUT_ARGS];
  if (opts.kind === 'v4l2') {
    return {
      ffmpeg: {
        cmd: ffmpegPath,
        args: [
          ...QUIET_ARGS,
          ...lowDelay,
          '-f',
          'v4l2',
          '-input_format',
          opts.inputFormat ?? 'mjpeg',
          '-video_size',
          `${width}x${height}`,
          '-framerate',
          String(fps),
          '-i',
          opts.device ?? '/dev/video0',
          ...out,
        ],
      },
    };
  }
  return {
    producer: {
      cmd: opts.rpicamPath ?? 'rpicam-vid',
      args: [
        '-t',
        '0',
        '-n',
        ...(opts.cameraIndex !== undefined ? ['--camera', String(opts.cameraIndex)] : []),
        '--codec',
        'mjpeg',
        '--width',
        String(width),
        '--height',
        String(height),
        '--framerate',
        String(fps),
        '-o',
        '-',
      ],
    },
    ffmpeg: {
      cmd: ffmpegPath,
      args: [...QUIET_ARGS, ...lowDelay, '-f', 'mjpeg', '-i', 'pipe:0', ...out],
    },
  };
}

/**
 * A live camera. Always delivers the newest frame (older ones are dropped when the consumer is
 * busy), timestamps are wall-clock ms. If the camera process dies the source yields one
 * SOURCE_FAILED error and ends; the caller decides whether to reopen.
 */
export class CameraSource implements FrameSource {
  readonly description: string;
  private readonly inner: FfmpegFrameSource;

  constructor(opts: CameraOptions, now: () => number = Date.now) {
    const cmds = buildCameraCommands(opts);
    const where = opts.kind === 'v4l2' ? (opts.device ?? '/dev/video0') : `camera${opts.cameraIndex ?? 0}`;
    this.description = `${opts.kind}:${where} ${opts.width ?? 640}x${opts.height ?? 480}@${opts.fps ?? 15}`;
    this.inner = new FfmpegFrameSource({
      ffmpeg: cmds.ffmpeg,
      ...(cmds.producer ? { producer: cmds.producer } : {}),
      description: this.description,
      timestamp: () => now(),
      dropStale: true,
    });
  }

  get droppedFrames(): number {
    return this.inner.droppedFrames;
  }

  [Symbol.asyncIterator](): AsyncIterator<FrameItem> {
    return this.inner[Symbol.asyncIterator]();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
