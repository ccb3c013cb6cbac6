/**
 * Active liveness: a live head moves in 3D and blinks; a photo or a screen held to the camera does
 * neither. Both cues are read from the 68 landmarks the engine already computes, over the frames of
 * one face "session" (the face continuously in view), so the check costs no inference.
 *
 * The cues are affine-invariant. Every measurement is a coordinate in the face's own frame spanned
 * by the eye axis (left eye centre -> right eye centre) and the face axis (eye midpoint -> mouth
 * centre):
 *  - parallax: the nose tip's coordinate along the eye axis. The nose tip stands ~2-3 cm in front
 *    of the eye/mouth plane, so a real head turn moves it relative to that frame; a flat picture
 *    moved, rotated, zoomed or tilted (any affine map, i.e. weak perspective) leaves it unchanged;
 *  - openness: the eyelid gap (upper-lid midpoint -> lower-lid midpoint) along the face axis, in
 *    units of the eye-to-mouth distance; a blink drops it and restores it within a fraction of a
 *    second. Tilting a printed photo back, which fools the plain eye aspect ratio, does not.
 * So waving, tilting or turning a photo or tablet does not produce either cue (bench/liveness.bench.ts
 * measures this on the pad-dev attacks), while a replayed *video* of the person does: that is why
 * 'strict' asks for a head turn in a random direction.
 *
 * Levels:
 *  - 'off':    recognitions pass through (liveness reported as not checked);
 *  - 'active': a blink or a head turn (either way) within the session;
 *  - 'strict': a head turn in the prompted, randomly chosen direction; turning the other way first
 *              fails the attempt.
 * A recognition (the recognizer's 'recognized') is held until the cue is seen, and then until one
 * more frame matches the same person after the cue (the face that moved is the face that matched).
 * The face leaving the view, a second face, a jump of the face box, or another person's match ends
 * the session; a held recognition that does not complete within `windowMs` fails, and the person's
 * cooldown is lifted so they can try again.
 *
 * Pure: time comes from frame timestamps, randomness is injected.
 */
import { type Box, iou, landmarkBox } from './align.ts';
import type { QualityIssue } from './quality.ts';
import type { Decision, MatchVerdict } from './recognizer.ts';

export type LivenessLevel = 'off' | 'active' | 'strict';
export type TurnDirection = 'left' | 'right';

export interface LivenessConfig {
  level: LivenessLevel;
  /** A held recognition must get its liveness cue and a confirming frame within this (ms). */
  windowMs: number;
  /** The face may be out of view (or unusable) this long without ending the session (ms). */
  maxGapMs: number;
  /** Consecutive face boxes overlapping less than this (IoU) are treated as a different face. */
  minBoxIou: number;
  blink: {
    /** Closed: openness below this fraction of the session's open baseline (both eyes together). */
    closedRatio: number;
    /** Open again: back above this fraction of the baseline. */
    reopenRatio: number;
    /** A closure longer than this is not a blink (ms). */
    maxClosedMs: number;
    /** Open frames needed before a closure counts (the baseline must exist). */
    minOpenFrames: number;
  };
  turn: {
    /** Nose-tip parallax change that counts as a head turn, in eye-distance units. */
    minParallax: number;
    /** Consecutive frames beyond the threshold (one noisy frame is not a turn). */
    minFrames: number;
  };
  /** The frames are mirrored (selfie view, camera hflip): swaps left and right. */
  mirrored: boolean;
}

/**
 * Thresholds: on still videos of all 42 pad-dev pictures the parallax moved at most 0.024 and the
 * openness never fell below 0.92 of its baseline (bench/liveness.bench.ts); a 15-20 degree head turn
 * moves the parallax by roughly 0.1-0.2.
 */
export const DEFAULT_LIVENESS: LivenessConfig = {
  level: 'off',
  windowMs: 6000,
  maxGapMs: 1000,
  minBoxIou: 0.3,
  blink: { closedRatio: 0.75, reopenRatio: 0.9, maxClosedMs: 600, minOpenFrames: 2 },
  turn: { minParallax: 0.12, minFrames: 2 },
  mirrored: false,
};

export function resolveLivenessConfig(
  partial: Partial<Omit<LivenessConfig, 'blink' | 'turn'>> & {
    blink?: Partial<LivenessConfig['blink']>;
    turn?: Partial<LivenessConfig['turn']>;
  } = {},
): LivenessConfig {
  return {
    ...DEFAULT_LIVENESS,
    ...partial,
    blink: { ...DEFAULT_LIVENESS.blink, ...partial.blink },
    turn: { ...DEFAULT_LIVENESS.turn, ...partial.turn },
  };
}

export const LIVENESS_LEVELS: readonly LivenessLevel[] = ['off', 'active', 'strict'];

/** The stricter of two levels (a kiosk's local setting is a floor the backend's config can only raise). */
export function stricterLevel(a: LivenessLevel, b: LivenessLevel): LivenessLevel {
  return LIVENESS_LEVELS.indexOf(a) >= LIVENESS_LEVELS.indexOf(b) ? a : b;
}

export interface LivenessCues {
  /** Nose tip along the eye axis, eye-distance units (0 ~ frontal; sign follows the image's x). */
  parallax: number;
  /** Mean eyelid gap of both eyes along the face axis, eye-to-mouth units. */
  openness: number;
  /** Per eye (image left, image right). */
  openLeft: number;
  openRight: number;
}

/** Liveness cues from 68 landmarks given as [x0, y0, x1, y1, ...]. Undefined for a degenerate shape. */
export function livenessCues(lm: ArrayLike<number>): LivenessCues | undefined {
  if (lm.length < 136) return undefined;
  const px = (i: number) => lm[2 * i] as number;
  const py = (i: number) => lm[2 * i + 1] as number;
  const mean = (ids: readonly number[]) => {
    let x = 0;
    let y = 0;
    for (const i of ids) {
      x += px(i);
      y += py(i);
    }
    return { x: x / ids.length, y: y / ids.length };
  };
  const le = mean(EYE_LEFT);
  const re = mean(EYE_RIGHT);
  const mouth = mean(MOUTH);
  const ox = (le.x + re.x) / 2;
  const oy = (le.y + re.y) / 2;
  const ex = re.x - le.x;
  const ey = re.y - le.y;
  const fx = mouth.x - ox;
  const fy = mouth.y - oy;
  const det = ex * fy - ey * fx;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-6) return undefined;
  // Coordinates (a, b) of a vector v in the basis (e, f): v = a e + b f.
  const along = (vx: number, vy: number) => (vx * fy - vy * fx) / det;
  const across = (vx: number, vy: number) => (ex * vy - ey * vx) / det;
  const gap = (upper: readonly number[], lower: readonly number[]) => {
    const u = mean(upper);
    const l = mean(lower);
    return across(l.x - u.x, l.y - u.y);
  };
  const openLeft = gap([37, 38], [41, 40]);
  const openRight = gap([43, 44], [47, 46]);
  return {
    parallax: along(px(30) - ox, py(30) - oy),
    openness: (openLeft + openRight) / 2,
    openLeft,
    openRight,
  };
}

const EYE_LEFT = [36, 37, 38, 39, 40, 41] as const;
const EYE_RIGHT = [42, 43, 44, 45, 46, 47] as const;
const MOUTH = Array.from({ length: 20 }, (_, k) => 48 + k);

/** What the cues showed so far in one session. */
export type LivenessEvidence =
  | { kind: 'none' }
  | { kind: 'passed'; method: 'blink' | 'turn-left' | 'turn-right'; ts: number }
  | { kind: 'failed'; reason: 'wrong-direction'; ts: number };

/**
 * Accumulates the cues of one face session. `prompt` (strict): only a turn that way passes, a
 * turn the other way first fails. Without a prompt a blink or a turn either way passes.
 */
export class LivenessCheck {
  private frames = 0;
  private recentOpen: number[] = [];
  private closedSince: number | undefined;
  private minParallax = Number.POSITIVE_INFINITY;
  private maxParallax = Number.NEGATIVE_INFINITY;
  private runUp = 0;
  private runDown = 0;
  evidence: LivenessEvidence = { kind: 'none' };
  /** Largest parallax excursion and deepest openness dip seen (for benchmarks and tuning). */
  readonly peak = { parallax: 0, closedRatio: 1 };

  constructor(
    private readonly cfg: LivenessConfig,
    readonly prompt?: TurnDirection,
  ) {}

  observe(ts: number, c: LivenessCues): LivenessEvidence {
    this.frames++;
    this.observeTurn(ts, c.parallax);
    this.observeBlink(ts, c.openness);
    return this.evidence;
  }

  private settle(e: LivenessEvidence): void {
    if (this.evidence.kind === 'none') this.evidence = e;
  }

  private observeTurn(ts: number, p: number): void {
    const t = this.cfg.turn;
    // Up: moved this far above the lowest value so far; down: below the highest.
    const up = p - this.minParallax;
    const down = this.maxParallax - p;
    this.peak.parallax = Math.max(
      this.peak.parallax,
      Number.isFinite(up) ? up : 0,
      Number.isFinite(down) ? down : 0,
    );
    this.runUp = up >= t.minParallax ? this.runUp + 1 : 0;
    this.runDown = down >= t.minParallax ? this.runDown + 1 : 0;
    this.minParallax = Math.min(this.minParallax, p);
    this.maxParallax = Math.max(this.maxParallax, p);
    const turned: TurnDirection | undefined =
      this.runUp >= t.minFrames
        ? this.imageRightIs()
        : this.runDown >= t.minFrames
          ? opposite(this.imageRightIs())
          : undefined;
    if (!turned) return;
    if (!this.prompt || turned === this.prompt) this.settle({ kind: 'passed', method: `turn-${turned}`, ts });
    else this.settle({ kind: 'failed', reason: 'wrong-direction', ts });
  }

  /**
   * The nose moving towards the image's right is the person turning to *their* left (a camera
   * faces them); mirrored frames swap that.
   */
  private imageRightIs(): TurnDirection {
    return this.cfg.mirrored ? 'right' : 'left';
  }

  private observeBlink(ts: number, o: number): void {
    const b = this.cfg.blink;
    const baseline = median(this.recentOpen);
    const enough = this.recentOpen.length >= b.minOpenFrames && baseline !== undefined && baseline > 0;
    const ratio = enough ? o / baseline : 1;
    if (enough) this.peak.closedRatio = Math.min(this.peak.closedRatio, ratio);
    if (enough && ratio < b.closedRatio) {
      this.closedSince ??= ts;
      return; // closed frames stay out of the open baseline
    }
    if (this.closedSince !== undefined && ratio >= b.reopenRatio) {
      const closedMs = ts - this.closedSince;
      this.closedSince = undefined;
      // Blinks only count without a prompt: a replayed video blinks too.
      if (closedMs <= b.maxClosedMs && !this.prompt) this.settle({ kind: 'passed', method: 'blink', ts });
    } else if (this.closedSince !== undefined && ts - this.closedSince > b.maxClosedMs) {
      this.closedSince = undefined; // eyes closed too long (or a lasting change): start over
      this.recentOpen = [];
    }
    if (ratio >= b.reopenRatio || !enough) {
      this.recentOpen.push(o);
      if (this.recentOpen.length > 15) this.recentOpen.shift();
    }
  }

  get frameCount(): number {
    return this.frames;
  }
}

function opposite(d: TurnDirection): TurnDirection {
  return d === 'left' ? 'right' : 'left';
}

function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The liveness part of a punch (protocol `Liveness`). */
export interface LivenessOutcome {
  checked: boolean;
  passed?: boolean;
  method?: string;
}

export type LivenessPromptCode = 'BLINK_OR_TURN' | 'TURN_LEFT' | 'TURN_RIGHT';

/** Screen texts, Indonesian first, English second (like the quality gates). */
export const LIVENESS_TEXT: Record<LivenessPromptCode | 'FAILED', { id: string; en: string }> = {
  BLINK_OR_TURN: { id: 'Kedipkan mata atau tengok ke samping', en: 'Blink or turn your head' },
  TURN_LEFT: { id: 'Tengok ke kiri, lalu kembali', en: 'Turn your head left, then back' },
  TURN_RIGHT: { id: 'Tengok ke kanan, lalu kembali', en: 'Turn your head right, then back' },
  FAILED: { id: 'Verifikasi gagal, coba lagi', en: 'Liveness check failed, try again' },
};

export function livenessText(code: keyof typeof LIVENESS_TEXT): string {
  const t = LIVENESS_TEXT[code];
  return `${t.id} / ${t.en}`;
}

export interface LivenessPrompt {
  code: LivenessPromptCode;
  message: string;
}

type Recognized = Extract<Decision, { kind: 'recognized' }>;

/** The kiosk's decision for a frame: the recognizer's, with recognitions passed through liveness. */
export type FaceDecision =
  | Exclude<Decision, { kind: 'recognized' }>
  /** Punch. */
  | (Recognized & { liveness: LivenessOutcome })
  /** Recognised, waiting for the liveness cue (and a confirming frame). */
  | { kind: 'liveness'; personId: string; prompt: LivenessPrompt; remainingMs: number }
  /** Recognised, but the liveness check did not pass: no punch. */
  | {
      kind: 'liveness-failed';
      personId: string;
      reason: 'timeout' | 'wrong-direction' | 'lost' | 'other-person';
      message: string;
    };

/** What the gate needs from one processed frame (a subset of the pipeline's ProcessResult). */
export interface GateFrame {
  ts: number;
  landmarks?: Float32Array | undefined;
  /**
   * Whether the detector ran on this frame. Landmarks computed on a box carried over from the
   * previous frame (tracking) go wrong when the face moves fast, which fakes cues: such frames keep
   * the session alive but give no evidence. The kiosk runs the detector on every frame while
   * liveness is on.
   */
  detected?: boolean | undefined;
  issue?: QualityIssue | undefined;
  verdict?: MatchVerdict | undefined;
  decision: Decision;
}

/** Detection-stage refusals: their landmarks are not trustworthy (tiny, cut off) or not one face. */
const UNUSABLE: ReadonlySet<string> = new Set([
  'NO_FACE',
  'MULTIPLE_FACES',
  'TOO_FAR',
  'TOO_CLOSE',
  'OFF_CENTER',
]);

interface Session {
  check: LivenessCheck;
  lastFaceTs: number;
  box: Box;
  /** The person the session's frames last matched; the liveness cue must come after their first match. */
  matched?: string;
  candidate?: Recognized;
}

type FailReason = Extract<FaceDecision, { kind: 'liveness-failed' }>['reason'];

/**
 * Turns the recognizer's decisions into punch decisions under a liveness level. `forget` lifts a
 * person's recognizer cooldown when their recognition did not become a punch.
 *
 * Order of evidence within a session: first frame matching person P -> liveness cue -> a frame
 * matching P again (the recognizer's 'recognized' may come before or after the cue). The cue
 * therefore happens between two matches of the same face; cues seen before P first matched (say,
 * a live attacker blinking before raising a photo) do not count.
 */
export class LivenessGate {
  private cfg: LivenessConfig;
  private session: Session | undefined;
  /** Largest cue excursions seen in any session (benchmarks, tuning). */
  readonly peak = { parallax: 0, closedRatio: 1 };

  constructor(
    cfg: Partial<LivenessConfig> = {},
    private readonly forget: (personId: string) => void = () => undefined,
    private readonly random: () => number = Math.random,
  ) {
    this.cfg = resolveLivenessConfig(cfg);
  }

  get level(): LivenessLevel {
    return this.cfg.level;
  }

  get config(): Readonly<LivenessConfig> {
    return this.cfg;
  }

  setLevel(level: LivenessLevel): void {
    if (level === this.cfg.level) return;
    this.cfg = { ...this.cfg, level };
    this.reset();
  }

  /** Drops the session; a held recognition is abandoned (its cooldown lifted). */
  reset(): void {
    const c = this.session?.candidate;
    this.session = undefined;
    if (c) this.forget(c.personId);
  }

  step(f: GateFrame): FaceDecision {
    const d = f.decision;
    if (this.cfg.level === 'off') {
      return d.kind === 'recognized' ? { ...d, liveness: { checked: false } } : d;
    }
    const usable = f.landmarks !== undefined && !(f.issue && UNUSABLE.has(f.issue.code));
    let s = this.session;
    if (s && f.issue?.code === 'MULTIPLE_FACES') return this.end('lost', d);
    let box: Box | undefined;
    if (usable && f.landmarks) {
      box = landmarkBox(f.landmarks);
      if (s && (f.ts - s.lastFaceTs > this.cfg.maxGapMs || iou(box, s.box) < this.cfg.minBoxIou)) {
        const ended = this.end('lost', d);
        if (ended.kind === 'liveness-failed') return ended;
        s = undefined;
      }
      if (!s) {
        s = { check: new LivenessCheck(this.cfg, this.newPrompt()), lastFaceTs: f.ts, box };
        this.session = s;
      }
      s.lastFaceTs = f.ts;
      s.box = box;
    } else if (s && f.ts - s.lastFaceTs > this.cfg.maxGapMs) {
      return this.end('lost', d);
    }
    if (!s) {
      // A recognition needs a face in view, so this cannot happen; never punch without a session.
      if (d.kind === 'recognized') return this.fail(d.personId, 'lost');
      return d;
    }
    const v = f.verdict;
    if (v?.kind === 'match') {
      if (s.candidate && v.personId !== s.candidate.personId) return this.end('other-person', d);
      if (s.matched !== v.personId) {
        s.matched = v.personId;
        s.check = new LivenessCheck(this.cfg, s.check.prompt);
      }
    }
    if (usable && f.landmarks && f.detected !== false) {
      const cues = livenessCues(f.landmarks);
      if (cues) {
        s.check.observe(f.ts, cues);
        this.peak.parallax = Math.max(this.peak.parallax, s.check.peak.parallax);
        this.peak.closedRatio = Math.min(this.peak.closedRatio, s.check.peak.closedRatio);
      }
    }
    if (d.kind === 'recognized') s.candidate = d;
    const c = s.candidate;
    if (!c) return d.kind === 'recognized' ? this.fail(d.personId, 'lost') : d; // (c is set for a recognition)
    const e = s.check.evidence;
    if (e.kind === 'failed') return this.end('wrong-direction', d);
    if (e.kind === 'passed' && v?.kind === 'match' && v.personId === c.personId && f.ts >= e.ts) {
      // Punch. The session goes on with fresh evidence (and a fresh prompt) for the next recognition.
      s.candidate = undefined;
      s.check = new LivenessCheck(this.cfg, this.newPrompt());
      return { ...c, liveness: { checked: true, passed: true, method: e.method } };
    }
    const elapsed = f.ts - c.ts;
    if (elapsed > this.cfg.windowMs) return this.end('timeout', d);
    return {
      kind: 'liveness',
      personId: c.personId,
      prompt: promptOf(s.check.prompt),
      remainingMs: this.cfg.windowMs - elapsed,
    };
  }

  private newPrompt(): TurnDirection | undefined {
    if (this.cfg.level !== 'strict') return undefined;
    return this.random() < 0.5 ? 'left' : 'right';
  }

  /** Ends the session; a held recognition fails (and its cooldown is lifted). */
  private end(reason: FailReason, d: Decision): FaceDecision {
    const c = this.session?.candidate;
    this.session = undefined;
    if (c) return this.fail(c.personId, reason);
    if (d.kind === 'recognized') return this.fail(d.personId, reason);
    return d;
  }

  private fail(personId: string, reason: FailReason): FaceDecision {
    this.forget(personId);
    return { kind: 'liveness-failed', personId, reason, message: livenessText('FAILED') };
  }
}

function promptOf(p: TurnDirection | undefined): LivenessPrompt {
  const code: LivenessPromptCode =
    p === 'left' ? 'TURN_LEFT' : p === 'right' ? 'TURN_RIGHT' : 'BLINK_OR_TURN';
  return { code, message: livenessText(code) };
}
