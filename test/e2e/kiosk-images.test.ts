/**
 * A kiosk on a folder of pictures (`--images DIR`), one picture per person: a recognition needs 3
 * agreeing frames in a row, so one frame per picture punches nobody, and the kiosk says so instead
 * of ending silently; `--repeat 3` holds each picture for 3 frames and punches. Real backend
 * (enrollment through the REST API, the gallery pulled with the kiosk's credentials), the real kiosk
 * CLI started from its registration file. Photos: the committed public-domain fixtures
 * (test/support/face-fixtures.ts); the kiosk's folder holds links to probe pictures not enrolled from.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../support/cluster.ts';
import { type FixturePerson, fixturePhotos } from '../support/face-fixtures.ts';
import { FFMPEG_MISSING } from '../support/faces.ts';
import { runTs } from '../support/proc.ts';
import { nip } from '../support/punches.ts';
import { skipNotice } from '../support/skip-notice.ts';

const PEOPLE: { nip: string; name: string; photos: FixturePerson }[] = [
  { nip: nip(41), name: 'Grace Hopper', photos: 'grace' },
  { nip: nip(42), name: 'Eileen Collins', photos: 'eileen' },
];

describe('a kiosk on a folder of pictures', skipNotice(FFMPEG_MISSING), () => {
  let c: Cluster;
  const tmp = mkdtempSync(join(tmpdir(), 'att-kiosk-images-'));
  const pictures = join(tmp, 'pictures');

  /** A new terminal's registration answer, saved as the kiosk file. */
  async function kioskFile(name: string): Promise<{ file: string; id: string }> {
    const r = await c.api<{ id: string }>('POST', '/api/terminals', { name });
    expect(r.status).toBe(201);
    const file = join(tmp, `${name}.json`);
    writeFileSync(file, JSON.stringify(r.body));
    return { file, id: r.body.id };
  }

  function kiosk(file: string, name: string, extra: string[] = []) {
    return runTs(
      'terminal/main.ts',
      ['--config', file, '--images', pictures, ...extra, '--exit-when-drained'],
      { TERMINAL_DATA_DIR: join(tmp, name), LOG_FORMAT: 'json' },
      join(tmp, `${name}.log`),
    );
  }

  const punched = async (terminalId: string) =>
    (await c.query((p) => p.attendanceEvent.findMany({ where: { terminalId } })))
      .map((e) => e.employeeId)
      .sort();
  const warnings = (lines: string[]) =>
    lines
      .filter((l) => l.includes('gave no punch'))
      .map((l) => JSON.parse(l) as { msg: string; level: number });

  beforeAll(async () => {
    const f = await fixturePhotos();
    c = await Cluster.start({ db: 'sqlite' });
    mkdirSync(pictures);
    for (const [i, p] of PEOPLE.entries()) {
      await c.createEmployee(p.nip, p.name);
      const photos = f.enroll[p.photos].map((file) => readFileSync(file).toString('base64'));
      const enrolled = await c.api('POST', `/api/employees/${p.nip}/faces`, { photos });
      expect(enrolled.status).toBe(201);
      // Another picture of each person than those enrolled from.
      symlinkSync(f.probe[p.photos][0] as string, join(pictures, `${i + 1}.jpg`));
    }
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('one frame per picture: no punch, and a warning per person saying 3 agreeing frames are needed', async () => {
    const { file, id } = await kioskFile('once');
    const k = kiosk(file, 'once');
    expect(await k.exited).toBe(0);
    expect(await punched(id)).toEqual([]);
    const w = warnings(k.lines);
    expect(w.map((x) => x.level)).toEqual([40, 40]);
    expect(w.map((x) => x.msg)).toEqual(
      PEOPLE.map(
        (p) =>
          `1 picture of ${p.name} (${p.nip}) gave no punch: a recognition needs 3 agreeing frames in a row; ` +
          'hold each picture for several frames with --repeat 3 (or more), or use a video',
      ),
    );
  });

  it('--repeat 3: one punch per person, no warning', async () => {
    const { file, id } = await kioskFile('repeat');
    const k = kiosk(file, 'repeat', ['--repeat', '3']);
    expect(await k.exited).toBe(0);
    expect(await punched(id)).toEqual(PEOPLE.map((p) => p.nip));
    expect(warnings(k.lines)).toEqual([]);
  });
});
