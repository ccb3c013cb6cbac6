/** One decoded picture: packed RGB, 3 bytes per pixel, row-major, no padding. */
export interface Frame {
  readonly kind: 'frame';
  /** width * height * 3 bytes, R G B. */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Milliseconds. Wall clock for cameras; media time (from 0) for video files; index * interval for folders. */
  readonly ts: number;
  /** 0-based position within the source. */
  readonly index: number;
  /** File the frame came from (image folders), if any. */
  readonly path?: string;
}

export type FrameErrorCode =
  /** The file or device is not there. */
  | 'NOT_FOUND'
  /** ffmpeg could not decode the picture (corrupt, truncated, not an image). */
  | 'DECODE_FAILED'
  /** The producer (ffmpeg, rpicam-vid) exited abnormally. */
  | 'SOURCE_FAILED'
  /** ffmpeg (or rpicam-vid) is not installed. */
  | 'NO_DECODER';

/** A frame that could not be produced. Sources yield these instead of throwing, so one bad file never stops a run. */
export interface FrameError {
  readonly kind: 'error';
  readonly code: FrameErrorCode;
  /** Human-readable reason (English; ffmpeg's own message where there is one). */
  readonly message: string;
  readonly index: number;
  readonly path?: string;
}

export type FrameItem = Frame | FrameError;

/** A camera, a video file or a folder of images: anything that yields frames. */
export interface FrameSource extends AsyncIterable<FrameItem> {
  /** Short description for logs and status, e.g. "v4l2:/dev/video0 640x480@15". */
  readonly description: string;
  /** Stops the producer (kills ffmpeg) and ends iteration. Safe to call more than once. */
  close(): Promise<void>;
}

export function isFrame(item: FrameItem): item is Frame {
  return item.kind === 'frame';
}
