/**
 * The names of the shipped descriptor models, apart from the models themselves (descriptor-models.ts)
 * so that a config schema can list them without loading the face engine.
 */
export const DESCRIPTOR_KINDS = ['mfn512', 'mfn192', 'faceapi'] as const;
export type DescriptorKind = (typeof DESCRIPTOR_KINDS)[number];

/** Chosen by measurement on dev-asia and dev (docs/FACE-ENGINE.md, "Choosing the descriptor"). */
export const DEFAULT_DESCRIPTOR: DescriptorKind = 'mfn512';

export function isDescriptorKind(s: string): s is DescriptorKind {
  return (DESCRIPTOR_KINDS as readonly string[]).includes(s);
}

/** `FACE_DESCRIPTOR` of the given environment, else the default. An unknown name throws (no silent fallback). */
export function descriptorKindFromEnv(env: Readonly<Record<string, string | undefined>>): DescriptorKind {
  const v = env.FACE_DESCRIPTOR?.trim();
  if (!v) return DEFAULT_DESCRIPTOR;
  if (!isDescriptorKind(v)) {
    throw new Error(`FACE_DESCRIPTOR='${v}' is not one of ${DESCRIPTOR_KINDS.join(', ')}`);
  }
  return v;
}
