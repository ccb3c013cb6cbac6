/**
 * Face pictures every clone has: two public-domain portraits and a picture without a face,
 * committed under test/fixtures/faces (sources and licences in SOURCES.md there), and pictures
 * derived from them with ffmpeg at run time, once per process, into a temporary folder.
 * test/face/fixtures.test.ts checks that they do what the tests rely on.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './proc.ts';

const run = promisify(execFile);

export const FIXTURES = join(ROOT, 'test', 'fixtures', 'faces');
/** A cup of coffee: no face. */
export const NO_FACE = join(FIXTURES, 'coffee.jpg');

export type FixturePerson = 'grace' | 'eileen';
export const FIXTURE_PEOPLE: Record<FixturePerson, { name: string; file: string }> = {
  grace: { name: 'Grace Hopper', file: join(FIXTURES, 'grace_hopper.jpg') },
  eileen: { name: 'Eileen Collins', file: join(FIXTURES, 'astronaut.jpg') },
};

// Eileen's portrait has a flag, a model shuttle and a helmet around her that the detector takes
// for faces now and then: every picture of her is a crop around her face.
const FACE = 'crop=320:320:100:10';
const ROT = (deg: number) => `rotate=${deg}*PI/180:fillcolor=gray`;

/** ffmpeg filters: three enrollment pictures and three different probe pictures per person. */
const RECIPES: Record<FixturePerson, { enroll: string[]; probe: string[] }> = {
  grace: {
    enroll: ['scale=420:-2', 'crop=420:470:50:20,scale=360:-2', `${ROT(6)},scale=400:-2`],
    probe: [
      'eq=brightness=0.06:contrast=1.1,scale=380:-2',
      `crop=460:520:30:0,${ROT(-5)},scale=340:-2`,
      'eq=gamma=0.85,scale=300:-2',
    ],
  },
  eileen: {
    enroll: [
      'crop=280:300:110:0,scale=380:-2',
      `${FACE},${ROT(5)},scale=400:-2`,
      `${FACE},eq=brightness=0.05:contrast=1.1,scale=420:-2`,
    ],
    probe: [
      `crop=300:300:80:0,${ROT(-5)},scale=400:-2`,
      `${FACE},eq=gamma=0.85,scale=400:-2`,
      `${FACE},hflip,scale=360:-2`,
    ],
  },
};
/** Both faces side by side, at about the same size. */
const GROUP =
  '[0:v]crop=440:440:36:20,scale=320:320[a];[1:v]crop=240:240:110:20,scale=320:320[b];[a][b]hstack';
/** Found by the detector, refused by the sharpness gate. */
const BLUR = `${FACE},scale=420:-2,gblur=sigma=4`;

export interface FixturePhotos {
  dir: string;
  enroll: Record<FixturePerson, string[]>;
  probe: Record<FixturePerson, string[]>;
  group: string;
  blurred: string;
  noFace: string;
}

async function ffmpeg(inputs: string[], filter: string, out: string, complex = false): Promise<string> {
  await run('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...inputs.flatMap((i) => ['-i', i]),
    ...(complex ? ['-filter_complex', filter] : ['-vf', filter]),
    ...['-q:v', '3', out],
  ]);
  return out;
}

async function make(): Promise<FixturePhotos> {
  const dir = mkdtempSync(join(tmpdir(), 'face-fixtures-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const derive = (who: FixturePerson, kind: 'enroll' | 'probe') =>
    Promise.all(
      RECIPES[who][kind].map((vf, i) =>
        ffmpeg([FIXTURE_PEOPLE[who].file], vf, join(dir, `${who}-${kind}-${i + 1}.jpg`)),
      ),
    );
  const [ge, gp, ee, ep, group, blurred] = await Promise.all([
    derive('grace', 'enroll'),
    derive('grace', 'probe'),
    derive('eileen', 'enroll'),
    derive('eileen', 'probe'),
    ffmpeg([FIXTURE_PEOPLE.grace.file, FIXTURE_PEOPLE.eileen.file], GROUP, join(dir, 'group.jpg'), true),
    ffmpeg([FIXTURE_PEOPLE.eileen.file], BLUR, join(dir, 'blurred.jpg')),
  ]);
  return {
    dir,
    enroll: { grace: ge, eileen: ee },
    probe: { grace: gp, eileen: ep },
    group,
    blurred,
    noFace: NO_FACE,
  };
}

let made: Promise<FixturePhotos> | undefined;

/** The derived pictures (made on first call; needs ffmpeg). */
export function fixturePhotos(): Promise<FixturePhotos> {
  made ??= make();
  return made;
}
