/** The face engine's settings (engine.ts), their defaults, and the detector input sizes they give. */
import { availableParallelism } from 'node:os';
import { DEFAULT_DESCRIPTOR, type DescriptorKind } from './descriptor-models.ts';
import { DEFAULT_QUALITY, type QualityConfig } from './quality.ts';

export interface FaceEngineConfig {
  /** Worker threads: 2 spreads locate and embed over two cores. Default min(2, cores). */
  workers: 1 | 2;
  backend: 'auto' | 'wasm';
  detector: {
    /** Input sizes tried in order on a cold frame until a face is found. */
    inputSizes: number[];
    /** Detections below this are ignored entirely; between this and quality.minScore they only count as bystanders. */
    scoreThreshold: number;
    /** Tracked frames: detector input chosen so the tracked face is about this many pixels wide... */
    targetFacePx: number;
    /** ...but never below this. */
    minInputSize: number;
  };
  tracking: {
    enabled: boolean;
    /** A track older than this (frame timestamps, ms) is dropped. */
    maxAgeMs: number;
    /**
     * Largest RMS landmark displacement, in pixels of a 150 px aligned crop, for which the
     * predicted crop is kept (scaled to the descriptor's crop size: 1.87 px for 112 px crops).
     */
    maxDriftPx: number;
    /**
     * Tracked frames skip the detector and run the landmark net on the box carried over from the
     * previous frame; every `detectEvery`-th tracked frame runs the detector on the whole frame
     * again (bystanders, re-anchoring). 1 = detector on every frame.
     */
    detectEvery: number;
    /** Landmark boxes of consecutive frames must overlap this much (IoU), else the track is lost. */
    minIou: number;
    /**
     * A new face with no track: for this long after the last face was seen, the detector first
     * looks only in a square of `priorRegion` x that face's width around it (people stand where
     * the previous one stood), at the small input that gives the face about `targetFacePx`; the
     * whole frame only if nothing is there. The next frame runs the detector on the whole frame
     * (bystanders). 0 = off.
     */
    priorMaxAgeMs: number;
    priorRegion: number;
    /**
     * Tracked frames first look for the face's shift since the landmark net last ran (shift.ts,
     * ~0.8 ms on the main thread). If the inner face only moved, so that what is left after the
     * shift is at most this fraction of its contrast, the landmarks are moved with it and the
     * landmark net is skipped (`path: 'shifted'`); on detector frames the detector still runs, and
     * its face must be where the shift put it. Otherwise, or when the face moved further than
     * searched, the landmark net runs as before and its landmarks become the new anchor. Each
     * estimate is against the anchor itself, so shifts do not add up errors. 0 = off; a kiosk with
     * liveness on sets 0 (liveness needs the net's own landmarks on every frame).
     */
    shiftMaxResidual: number;
  };
  quality: QualityConfig;
  /** Run every net once at start-up so the first frame is not slow. */
  warmUp: boolean;
  /**
   * Descriptor model (descriptor-models.ts), DEFAULT_DESCRIPTOR when not given. The processes pass
   * FACE_DESCRIPTOR from their config; the engine reads no environment.
   */
  descriptor: DescriptorKind;
  /** face-api descriptor only: side of its dlib chip. */
  chipSize: number;
}

export const DEFAULT_ENGINE_CONFIG: FaceEngineConfig = {
  workers: Math.min(2, availableParallelism()) >= 2 ? 2 : 1,
  backend: 'auto',
  detector: {
    inputSizes: [224, 320, 416],
    scoreThreshold: 0.3,
    targetFacePx: 64,
    minInputSize: 160,
  },
  tracking: {
    enabled: true,
    maxAgeMs: 1000,
    maxDriftPx: 2.5,
    detectEvery: 3,
    minIou: 0.5,
    priorMaxAgeMs: 30_000,
    priorRegion: 2.5,
    shiftMaxResidual: 0.15,
  },
  quality: DEFAULT_QUALITY,
  warmUp: true,
  descriptor: DEFAULT_DESCRIPTOR,
  chipSize: 150,
};

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function resolveEngineConfig(partial: DeepPartial<FaceEngineConfig> = {}): FaceEngineConfig {
  const d = DEFAULT_ENGINE_CONFIG;
  return {
    ...d,
    ...(partial as Partial<FaceEngineConfig>),
    detector: { ...d.detector, ...(partial.detector as Partial<FaceEngineConfig['detector']>) },
    tracking: { ...d.tracking, ...partial.tracking },
    quality: { ...d.quality, ...(partial.quality as Partial<QualityConfig>) },
    descriptor: (partial.descriptor as DescriptorKind | undefined) ?? d.descriptor,
  };
}

/**
 * Detector input sizes to try. With a tracked face (width as a fraction of the frame width) the
 * first size is the smallest that still gives the face about `targetFacePx` pixels: a near face
 * needs a small, fast input. The configured cold sizes follow as fall-backs.
 */
export function detectorSizes(det: FaceEngineConfig['detector'], trackedFaceFraction?: number): number[] {
  if (trackedFaceFraction === undefined || trackedFaceFraction <= 0) return det.inputSizes;
  const cold = det.inputSizes[0] ?? 224;
  const wanted = Math.ceil(det.targetFacePx / trackedFaceFraction / 32) * 32;
  const first = Math.max(det.minInputSize, Math.min(wanted, cold));
  return [first, ...det.inputSizes.filter((s) => s !== first)];
}
