import type { QualityIssue } from '../../terminal/face/quality.ts';

/** What enrollment needs from a face engine: one template from a few photos, or the reasons each was refused. */
export interface FaceEnroller {
  /** The model's id once loaded (enrollment loads it); undefined before. */
  readonly modelId: string | undefined;
  enroll(
    personId: string,
    photos: readonly Buffer[],
  ): Promise<{
    descriptor?: Float32Array;
    used: number;
    refused: Array<{ index: number; code: string; message: string }>;
  }>;
  close(): Promise<void>;
}

export type { QualityIssue };
