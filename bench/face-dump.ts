/**
 * The file `bench:face --dump FILE` writes and `face-calibrate.ts` / `face-blur.ts` read: every
 * picture's gate measurements and every model's descriptors, so operating points and gates can be
 * swept without running the nets again.
 */
import { readFileSync } from 'node:fs';
import type { QualityIssue } from '../face/quality.ts';

/** What the gates measured on one picture (model-independent). */
export interface GateRecord {
  identity: string;
  n: number;
  skipped: boolean;
  /** Failure of the detection gates (size, position, several faces), if any. */
  detection?: string;
  yaw: number;
  pitch: number;
  rollDeg: number;
  brightness: number;
  sharpness: number;
  /** Quality-chip pixels per frame pixel (above 1: the chip is enlarged from a small face). */
  scale: number;
  refused?: QualityIssue;
}

/** One picture's descriptor (and its mirrored face's) under one model. */
export interface DumpSample {
  identity: string;
  n: number;
  ok: boolean;
  skipped: boolean;
  vector: number[];
  mirrored: number[];
}

export interface FaceDump {
  data: string;
  /** Enrollment pictures per identity. */
  k: number;
  /** Same order as each model's samples. */
  gates?: GateRecord[];
  models: Record<string, { modelId: string; dim: number; samples: DumpSample[] }>;
}

export function readFaceDump(path: string): FaceDump {
  return JSON.parse(readFileSync(path, 'utf8')) as FaceDump;
}
