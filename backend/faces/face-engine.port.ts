import type { KeptFace } from '../../face/align.ts';
import type { EnrollmentRecord, Rederivation } from '../../face/descriptor-migrate.ts';
import type { DescriptorKind } from '../../face/descriptor-models.ts';
import type { QualityIssue } from '../../face/quality.ts';

/** What enrollment needs from a face engine, per descriptor model (one model per site). */
export interface FaceEnroller {
  /** The full model id of a shipped model (without loading it). */
  modelIdOf(kind: DescriptorKind): string;
  /** One template from a few photos with `kind`'s model, or the reasons each was refused; `keepCrops`: return the used faces' crops. */
  enroll(
    kind: DescriptorKind,
    personId: string,
    photos: readonly Buffer[],
    opts?: { keepCrops?: boolean },
  ): Promise<{
    descriptor?: Float32Array;
    modelId: string;
    used: number;
    refused: Array<{ index: number; code: string; message: string }>;
    crops: KeptFace[];
  }>;
  /** Templates of `kind`'s model from kept crops (descriptor-migrate.ts). */
  rederive(kind: DescriptorKind, records: EnrollmentRecord[]): Promise<Rederivation>;
  /** Unloads the models of kinds not in `keep` (memory). */
  release(keep: ReadonlySet<DescriptorKind>): Promise<void>;
  close(): Promise<void>;
}

export type { QualityIssue };
