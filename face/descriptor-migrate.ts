/**
 * Switching a site to another descriptor model. Templates of different models live in different
 * spaces and are never compared (gallery.ts refuses them), so a switch re-derives every template
 * with the new model from the enrollment crops kept at enrollment (EnrollResult.crops: the face
 * warped to a model-neutral template with its 68 landmarks, align.ts KEEP_TEMPLATE), exactly as
 * enrollment would: each crop aligned to the new model's template, described with its mirror,
 * one normalised mean per person. Where no crops were kept the person must enroll again; that is
 * reported per person with a reason, never papered over with the old template.
 */
import type { KeptFace } from './align.ts';
import { meanTemplate, type Template } from './gallery.ts';

export interface EnrollmentRecord {
  personId: string;
  /** Model that made `vector`. */
  modelId: string;
  vector?: Float32Array;
  /** The crops kept at enrollment (EnrollResult.crops); absent or empty when they were not kept. */
  crops?: readonly KeptFace[];
}

/** What re-derivation needs from an engine: its model, and a descriptor for a face with known landmarks. */
export interface LandmarkEmbedder {
  readonly modelId: string;
  embedLandmarks(
    frame: { data: Uint8Array; width: number; height: number },
    landmarks: Float32Array,
    opts?: { mirror?: boolean },
  ): Promise<{ descriptor: Float32Array; mirrored?: Float32Array }>;
}

export interface ReEnrollment {
  personId: string;
  code: 'NO_CROPS';
  /** For the administrator: Indonesian / English. */
  message: string;
}

export interface Rederivation {
  /** Model id of every template returned. */
  modelId: string;
  /** One per record that could be carried over: unchanged (already this model) or re-derived. */
  templates: Template[];
  rederived: string[];
  unchanged: string[];
  /** People whose template cannot be carried over: they must enroll again. */
  reEnroll: ReEnrollment[];
}

/** Re-derives every record's template for `engine`'s model (see the file comment). */
export async function rederiveTemplates(
  engine: LandmarkEmbedder,
  records: Iterable<EnrollmentRecord>,
): Promise<Rederivation> {
  const out: Rederivation = {
    modelId: engine.modelId,
    templates: [],
    rederived: [],
    unchanged: [],
    reEnroll: [],
  };
  for (const r of records) {
    if (r.modelId === engine.modelId && r.vector) {
      out.templates.push({ personId: r.personId, modelId: r.modelId, vector: r.vector });
      out.unchanged.push(r.personId);
      continue;
    }
    const crops = r.crops ?? [];
    if (crops.length === 0) {
      out.reEnroll.push({
        personId: r.personId,
        code: 'NO_CROPS',
        message:
          `Perlu pendaftaran wajah ulang: templat dibuat dengan model '${r.modelId}', foto pendaftaran tidak disimpan / ` +
          `Re-enrollment needed: the template was made by '${r.modelId}' and no enrollment crops were kept, ` +
          `so it cannot be re-derived for '${engine.modelId}'`,
      });
      continue;
    }
    const vectors: Float32Array[] = [];
    for (const c of crops) {
      const e = await engine.embedLandmarks({ data: c.data, width: c.size, height: c.size }, c.landmarks, {
        mirror: true,
      });
      vectors.push(e.descriptor);
      if (e.mirrored) vectors.push(e.mirrored);
    }
    out.templates.push(meanTemplate(r.personId, engine.modelId, vectors));
    out.rederived.push(r.personId);
  }
  return out;
}
