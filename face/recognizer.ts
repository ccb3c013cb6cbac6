/**
 * Turns per-frame matches into kiosk decisions. Pure (no tensors, no timers: time comes from the
 * frames), so every rule is unit-testable:
 *  - a frame matches only below `threshold` AND at least `margin` closer than the second-best
 *    identity; otherwise the face is "unknown" (never the nearest employee by default);
 *  - a person is recognised after `agreeFrames` matching frames within `agreeWindowMs`, with no
 *    frame in between matching someone else or nobody, or showing a second face;
 *  - the same person is not recognised again within `cooldownMs`;
 *  - a face refused on `unknownFrames` consecutive good frames is reported unknown once per
 *    `unknownCooldownMs`.
 */
import type { SearchResult } from './gallery.ts';
import type { QualityIssue } from './quality.ts';

export interface RecognizerConfig {
  /** Accept only below this distance (unit-vector Euclidean). */
  threshold: number;
  /** Required gap between the best and the second-best identity's distance. */
  margin: number;
  agreeFrames: number;
  agreeWindowMs: number;
  cooldownMs: number;
  unknownFrames: number;
  unknownCooldownMs: number;
}

/** Shipped operating point, set on dev and dev-asia (docs/FACE-ENGINE.md). */
export const DEFAULT_RECOGNIZER: RecognizerConfig = {
  threshold: 0.34,
  margin: 0.08,
  agreeFrames: 3,
  agreeWindowMs: 2000,
  cooldownMs: 60_000,
  unknownFrames: 5,
  unknownCooldownMs: 5000,
};

export type MatchVerdict =
  | { kind: 'match'; personId: string; distance: number; gap: number }
  | {
      kind: 'unknown';
      reason: 'empty-gallery' | 'threshold' | 'margin';
      nearest?: string;
      distance?: number;
    };

/** Applies threshold and margin to a search result. */
export function judgeMatch(
  r: SearchResult,
  cfg: Pick<RecognizerConfig, 'threshold' | 'margin'>,
): MatchVerdict {
  const best = r.best;
  if (!best) return { kind: 'unknown', reason: 'empty-gallery' };
  if (best.distance >= cfg.threshold) {
    return { kind: 'unknown', reason: 'threshold', nearest: best.personId, distance: best.distance };
  }
  const gap = r.second ? r.second.distance - best.distance : Number.POSITIVE_INFINITY;
  if (gap < cfg.margin)
    return { kind: 'unknown', reason: 'margin', nearest: best.personId, distance: best.distance };
  return { kind: 'match', personId: best.personId, distance: best.distance, gap };
}

/** What one frame contributed. */
export type FrameInput =
  | { ts: number; kind: 'no-face' }
  | { ts: number; kind: 'refused'; issue: QualityIssue }
  | { ts: number; kind: 'verdict'; verdict: MatchVerdict };

export type Decision =
  /** Nothing to say (no face). */
  | { kind: 'idle' }
  /** Ask the person to adjust. */
  | { kind: 'hint'; issue: QualityIssue }
  /** Matching frames are accumulating. */
  | { kind: 'verifying'; personId: string; frames: number; needed: number }
  /** Punch: the person is recognised. */
  | { kind: 'recognized'; personId: string; distance: number; frames: number; ts: number }
  /** Recognised again within the cooldown: no punch. */
  | { kind: 'cooldown'; personId: string; remainingMs: number }
  /** A clearly visible face that matches nobody enrolled. */
  | { kind: 'unknown' };

export class Recognizer {
  private streak: { personId: string; frames: number; firstTs: number; bestDistance: number } | undefined;
  private unknownStreak = 0;
  private lastUnknownTs = Number.NEGATIVE_INFINITY;
  private readonly lastPunch = new Map<string, number>();

  constructor(readonly config: RecognizerConfig = DEFAULT_RECOGNIZER) {}

  step(input: FrameInput): Decision {
    const cfg = this.config;
    const { ts } = input;
    if (this.streak && ts - this.streak.firstTs > cfg.agreeWindowMs) this.streak = undefined;
    if (input.kind === 'no-face') {
      this.unknownStreak = 0;
      return { kind: 'idle' };
    }
    if (input.kind === 'refused') {
      // A bad frame neither confirms nor breaks agreement; the window bounds how long it may last.
      // A second face does break it: frames that skip the detector (tracked, or a new face found
      // in the last one's region) cannot see a bystander, so the frames between two detector
      // frames that do must not add up to a recognition.
      if (input.issue.code === 'MULTIPLE_FACES') this.streak = undefined;
      return { kind: 'hint', issue: input.issue };
    }
    const v = input.verdict;
    if (v.kind === 'unknown') {
      this.streak = undefined;
      this.unknownStreak++;
      if (this.unknownStreak >= cfg.unknownFrames && ts - this.lastUnknownTs >= cfg.unknownCooldownMs) {
        this.lastUnknownTs = ts;
        this.unknownStreak = 0;
        return { kind: 'unknown' };
      }
      return { kind: 'idle' };
    }
    this.unknownStreak = 0;
    const last = this.lastPunch.get(v.personId);
    if (last !== undefined && ts - last < cfg.cooldownMs) {
      this.streak = undefined;
      return { kind: 'cooldown', personId: v.personId, remainingMs: cfg.cooldownMs - (ts - last) };
    }
    if (!this.streak || this.streak.personId !== v.personId) {
      this.streak = { personId: v.personId, frames: 0, firstTs: ts, bestDistance: v.distance };
    }
    this.streak.frames++;
    this.streak.bestDistance = Math.min(this.streak.bestDistance, v.distance);
    if (this.streak.frames < cfg.agreeFrames) {
      return { kind: 'verifying', personId: v.personId, frames: this.streak.frames, needed: cfg.agreeFrames };
    }
    const done = this.streak;
    this.streak = undefined;
    this.lastPunch.set(v.personId, ts);
    return { kind: 'recognized', personId: v.personId, distance: done.bestDistance, frames: done.frames, ts };
  }

  /** Forget one person's cooldown and streak: their recognition did not become a punch (e.g. liveness failed). */
  forget(personId: string): void {
    this.lastPunch.delete(personId);
    if (this.streak?.personId === personId) this.streak = undefined;
  }

  /**
   * Takes over another recognizer's cooldowns (a kiosk switching to its site's new model gets a new
   * pipeline; whoever just punched must not punch again on the new one within the cooldown).
   */
  adoptCooldowns(from: Recognizer): void {
    for (const [personId, ts] of from.lastPunch) {
      const mine = this.lastPunch.get(personId);
      if (mine === undefined || mine < ts) this.lastPunch.set(personId, ts);
    }
  }

  /** Forget streaks and cooldowns (e.g. after re-enrollment). */
  reset(): void {
    this.streak = undefined;
    this.unknownStreak = 0;
    this.lastUnknownTs = Number.NEGATIVE_INFINITY;
    this.lastPunch.clear();
  }
}
