/** Feeds a frame source through the face pipeline (and liveness gate) and yields the kiosk's punches. */
import type { FrameError, FrameSource } from '../face/frames/types.ts';
import type { FaceDecision, LivenessGate } from '../face/liveness.ts';
import type { FacePipeline, ProcessResult } from '../face/pipeline.ts';
import type { PunchSource, Recognition } from './punch-source.ts';

export interface FacePunchOptions {
  /** Liveness gate between the recognizer and the punch; none: liveness not checked. */
  liveness?: LivenessGate;
  /** Every frame's result with the final decision (screen, logs). */
  onResult?: (r: ProcessResult, decision: FaceDecision) => void;
  /** A frame the source could not produce (corrupt picture, camera gone). */
  onFrameError?: (e: FrameError) => void;
  /** Display name sent along with a recognition to the kiosk screen. */
  nameOf?: (personId: string) => string | undefined;
}

/**
 * Feeds a frame source through the pipeline (and the liveness gate, if any) and yields a
 * Recognition for every accepted recognition.
 */
export class FacePunchSource implements PunchSource {
  private stopped = false;
  private readonly opts: FacePunchOptions;

  constructor(
    // Only `process` is used: a kiosk that follows its site's model passes one that swaps pipelines.
    private readonly pipeline: Pick<FacePipeline, 'process'>,
    private readonly frames: FrameSource,
    opts: FacePunchOptions | ((r: ProcessResult, decision: FaceDecision) => void) = {},
  ) {
    this.opts = typeof opts === 'function' ? { onResult: opts } : opts;
  }

  async *recognitions(): AsyncIterable<Recognition> {
    const { liveness, onResult, onFrameError, nameOf } = this.opts;
    try {
      for await (const item of this.frames) {
        if (this.stopped) break;
        if (item.kind !== 'frame') {
          onFrameError?.(item);
          continue;
        }
        const r = await this.pipeline.process(item);
        const d: FaceDecision = liveness
          ? liveness.step({
              ts: item.ts,
              landmarks: r.analysis.landmarks,
              detected: r.analysis.detected,
              issue: r.analysis.issue,
              verdict: r.verdict,
              decision: r.decision,
            })
          : r.decision.kind === 'recognized'
            ? { ...r.decision, liveness: { checked: false } }
            : r.decision;
        onResult?.(r, d);
        if (d.kind === 'recognized') {
          const name = nameOf?.(d.personId);
          yield {
            employeeId: d.personId,
            method: 'face',
            distance: d.distance,
            // Cosine similarity of the unit vectors.
            score: Math.min(1, Math.max(0, 1 - (d.distance * d.distance) / 2)),
            liveness: d.liveness,
            ...(name !== undefined ? { name } : {}),
          };
        }
      }
    } finally {
      await this.frames.close();
    }
  }

  stop(): void {
    this.stopped = true;
    void this.frames.close();
  }
}
