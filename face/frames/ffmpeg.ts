import { type ChildProcess, spawn } from 'node:child_process';
import { PpmStreamParser } from './ppm.ts';
import type { Frame, FrameError, FrameErrorCode, FrameItem, FrameSource } from './types.ts';

export interface PipeCommand {
  cmd: string;
  args: string[];
}

/** Output side shared by every ffmpeg invocation: PPM pictures on stdout, errors only on stderr. */
export const PPM_OUTPUT_ARGS: readonly string[] = ['-an', '-f', 'image2pipe', '-vcodec', 'ppm', 'pipe:1'];
export const QUIET_ARGS: readonly string[] = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'];

/** `-vf` filter chain for an optional fixed output size (letterboxed with grey) and frame rate. */
export function videoFilter(opts: { width?: number; height?: number; fps?: number }): string[] {
  const filters: string[] = [];
  if (opts.fps !== undefined) filters.push(`fps=${opts.fps}`);
  if (opts.width !== undefined && opts.height !== undefined) {
    const { width: w, height: h } = opts;
    filters.push(
      `scale=${w}:${h}:force_original_aspect_ratio=decrease`,
      `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=gray`,
    );
  }
  return filters.length > 0 ? ['-vf', filters.join(',')] : [];
}

export interface FfmpegSourceOptions {
  /** The ffmpeg command; it must write PPM pictures to stdout (see PPM_OUTPUT_ARGS). */
  ffmpeg: PipeCommand;
  /** Optional producer whose stdout is piped into ffmpeg's stdin (e.g. rpicam-vid). */
  producer?: PipeCommand;
  description: string;
  /** Timestamp for the i-th frame (ms). */
  timestamp: (index: number) => number;
  /**
   * Camera mode: never queue more than the newest frame, dropping older ones, so a slow consumer
   * always sees the present. File mode (false): back-pressure, no frame is lost.
   */
  dropStale?: boolean;
  /** Frames buffered before ffmpeg's stdout is paused (file mode). Default 2. */
  highWaterMark?: number;
}

/** Turns one ffmpeg process (optionally fed by a producer) into a FrameSource. Single use. */
export class FfmpegFrameSource implements FrameSource {
  readonly description: string;
  private readonly opts: FfmpegSourceOptions;
  private queue: FrameItem[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  private closing = false;
  private started = false;
  private paused = false;
  private ff: ChildProcess | undefined;
  private producer: ChildProcess | undefined;
  private index = 0;
  private stderrTail = '';
  private dropped = 0;
  private spawnFailed = false;
  /** One error per source: the first cause, not its consequences. */
  private failed = false;

  constructor(opts: FfmpegSourceOptions) {
    this.opts = opts;
    this.description = opts.description;
  }

  /** Frames discarded because the consumer was slower than the camera (camera mode). */
  get droppedFrames(): number {
    return this.dropped;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FrameItem> {
    if (this.started) throw new Error('FfmpegFrameSource can be iterated only once');
    this.start();
    try {
      for (;;) {
        const item = this.queue.shift();
        if (item) {
          if (this.paused && this.queue.length < (this.opts.highWaterMark ?? 2)) {
            this.paused = false;
            this.ff?.stdout?.resume();
          }
          yield item;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((resolve) => {
          this.waiter = resolve;
        });
      }
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const procs = [this.producer, this.ff].filter((p): p is ChildProcess => p !== undefined);
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once('close', () => resolve());
            p.kill('SIGTERM');
            setTimeout(() => {
              if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
            }, 2000).unref();
          }),
      ),
    );
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private fail(code: FrameErrorCode, message: string): void {
    if (this.failed) return;
    this.failed = true;
    const err: FrameError = { kind: 'error', code, message, index: this.index };
    this.queue.push(err);
    this.wake();
  }

  private start(): void {
    this.started = true;
    const parser = new PpmStreamParser();
    const { ffmpeg, producer } = this.opts;
    const ff = spawn(ffmpeg.cmd, ffmpeg.args, { stdio: [producer ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    this.ff = ff;
    if (producer) {
      const p = spawn(producer.cmd, producer.args, { stdio: ['ignore', 'pipe', 'pipe'] });
      this.producer = p;
      p.on('error', (e: NodeJS.ErrnoException) => {
        this.fail(e.code === 'ENOENT' ? 'NO_DECODER' : 'SOURCE_FAILED', `${producer.cmd}: ${e.message}`);
        ff.kill('SIGTERM');
      });
      p.stderr?.on('data', (d: Buffer) => this.keepStderr(d));
      if (p.stdout && ff.stdin) {
        p.stdout.pipe(ff.stdin);
        ff.stdin.on('error', () => {});
      }
      p.on('close', () => ff.stdin?.end());
    }
    ff.on('error', (e: NodeJS.ErrnoException) => {
      this.spawnFailed = true;
      this.fail(e.code === 'ENOENT' ? 'NO_DECODER' : 'SOURCE_FAILED', `${ffmpeg.cmd}: ${e.message}`);
      this.ended = true;
      this.wake();
    });
    ff.stderr?.on('data', (d: Buffer) => this.keepStderr(d));
    ff.stdout?.on('data', (chunk: Buffer) => {
      let images: ReturnType<PpmStreamParser['push']>;
      try {
        images = parser.push(chunk);
      } catch (e) {
        this.fail('SOURCE_FAILED', (e as Error).message);
        ff.kill('SIGTERM');
        return;
      }
      for (const img of images) {
        const frame: Frame = {
          kind: 'frame',
          data: img.data,
          width: img.width,
          height: img.height,
          ts: this.opts.timestamp(this.index),
          index: this.index,
        };
        this.index++;
        if (this.opts.dropStale) {
          // Keep errors, replace any waiting frame by the newest one.
          const before = this.queue.length;
          this.queue = this.queue.filter((q) => q.kind !== 'frame');
          this.dropped += before - this.queue.length;
        }
        this.queue.push(frame);
      }
      if (images.length > 0) this.wake();
      if (!this.opts.dropStale && this.queue.length >= (this.opts.highWaterMark ?? 2) && !this.paused) {
        this.paused = true;
        ff.stdout?.pause();
      }
    });
    ff.on('close', (code, signal) => {
      if (!this.closing && !this.spawnFailed && (code !== 0 || signal !== null)) {
        const why = this.stderrTail.trim().split('\n').slice(-3).join(' | ') || `exit ${code ?? signal}`;
        this.fail('SOURCE_FAILED', `ffmpeg failed: ${why}`);
      }
      this.ended = true;
      this.wake();
    });
  }

  private keepStderr(d: Buffer): void {
    this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-2000);
  }
}

/** Runs a command to completion, collecting stdout and stderr. Never rejects for a non-zero exit. */
export function runCollect(
  cmd: string,
  args: string[],
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: Buffer; stderr: string; spawnError?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let spawnError: NodeJS.ErrnoException | undefined;
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString('utf8')).slice(-4000);
    });
    p.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out),
        stderr: err,
        ...(spawnError ? { spawnError } : {}),
      });
    });
  });
}
