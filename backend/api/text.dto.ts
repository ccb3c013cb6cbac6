/**
 * Names as they are stored, shown on kiosks and exported to CSV (issue #12, finding 10): one
 * refinement for every name field (employees, units, sites, users, terminals). Refused: control
 * characters (newlines and tabs among them: a line break inside a name splits an export line),
 * the bidirectional controls that reorder what a reader sees (U+202A–U+202E overrides and
 * embeddings, U+2066–U+2069 isolates, U+200E/U+200F/U+061C marks), zero-width characters, and the
 * Unicode line and paragraph separators.
 */
import { z } from 'zod';

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/;

export const UNSAFE_TEXT_MESSAGE =
  'must not contain control characters, line breaks, bidirectional controls or zero-width characters';

/** True when `s` holds none of the characters above. */
export function isSafeText(s: string): boolean {
  return !UNSAFE.test(s);
}

/** A name: trimmed, 1…`max` characters, none of the unsafe ones (a 400 naming the field otherwise). */
export function SafeName(max = 200) {
  return z.string().trim().min(1, 'must not be empty').max(max).refine(isSafeText, UNSAFE_TEXT_MESSAGE);
}

/** Free text shown beside a name (a unit's code, a site's address): may be empty, same characters refused. */
export function SafeText(max: number) {
  return z.string().trim().max(max).refine(isSafeText, UNSAFE_TEXT_MESSAGE);
}
