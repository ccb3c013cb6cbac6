/** The face data sets, read in place from ../shared/faces (never copied into the repository), and ffmpeg. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const FACES = join(import.meta.dirname, '..', '..', '..', 'shared', 'faces');
export const DEV = join(FACES, 'dev');
export const PAD = join(FACES, 'pad-dev');

export const hasFfmpeg = (() => {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
export const facesReady = hasFfmpeg && existsSync(DEV) && existsSync(PAD);

export const photo = (identity: string, n: number) => join(DEV, identity, `${n}.jpg`);
