/**
 * What the face tests need: ffmpeg (always), the committed fixtures (face-fixtures.ts, always there)
 * and, for the tests that measure on many people, the large face data sets, read in place from
 * FACE_DATA_DIR (default: `../shared/faces` beside the checkout) and never copied into the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from './proc.ts';

export const FACES = resolve(process.env.FACE_DATA_DIR || join(ROOT, '..', 'shared', 'faces'));
export const DEV = join(FACES, 'dev');
export const PAD = join(FACES, 'pad-dev');
export const DEV_ASIA = join(FACES, 'dev-asia');

export const hasFfmpeg = (() => {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Why face tests cannot run at all here, or undefined. */
export const FFMPEG_MISSING = hasFfmpeg
  ? undefined
  : 'ffmpeg not installed: face tests that decode pictures or videos skipped';

/** Why a test on these data sets (folders under FACE_DATA_DIR) cannot run here, or undefined. */
export function faceDataMissing(...sets: string[]): string | undefined {
  if (FFMPEG_MISSING) return FFMPEG_MISSING;
  const missing = sets.filter((s) => !existsSync(join(FACES, s)));
  if (missing.length === 0) return undefined;
  return `face data sets (${missing.join(', ')}) not found at ${FACES}: set FACE_DATA_DIR`;
}
