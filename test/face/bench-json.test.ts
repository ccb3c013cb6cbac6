/**
 * The face benchmark's machine-readable contract (issue #3): with --json its last line is one JSON
 * object carrying the headline figures, for any folder laid out as <identity>/<n>.jpg. Run on a
 * small folder of dev pictures; figures are checked for shape and range, never for speed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEV, faceDataMissing } from '../support/faces.ts';
import { skipNotice } from '../support/skip-notice.ts';

const PEOPLE = ['colin_powell', 'george_w_bush', 'vladimir_putin', 'donald_rumsfeld'];

describe('bench:face --json', skipNotice(faceDataMissing('dev')), () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-json-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON object last, with the headline rates as fractions and the timings in ms', () => {
    for (const id of PEOPLE) {
      mkdirSync(join(dir, id));
      for (const n of [1, 2, 3, 4]) symlinkSync(join(DEV, id, `${n}.jpg`), join(dir, id, `${n}.jpg`));
    }
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/face.bench.ts',
        '--data',
        dir,
        '--models',
        'mfn512',
        '--json',
        '--search-queries',
        '20',
      ],
      { encoding: 'utf8', timeout: 240_000 },
    );
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const last = r.stdout.trim().split('\n').at(-1) as string;
    const out = JSON.parse(last) as Record<string, unknown>;
    expect(out.model).toBe('mfn512');
    for (const k of ['openSetFalseAcceptRate', 'correctAcceptRate', 'baselineOpenSetFalseAcceptRate']) {
      expect(typeof out[k], k).toBe('number');
      expect(out[k] as number, k).toBeGreaterThanOrEqual(0);
      expect(out[k] as number, k).toBeLessThanOrEqual(1);
    }
    for (const k of ['decisionP50Ms', 'baselineDecisionP50Ms', 'search50kMs']) {
      expect(typeof out[k], k).toBe('number');
      expect(out[k] as number, k).toBeGreaterThan(0);
    }
    // How many probes the rates rest on: every picture not used for enrollment, every stranger probe.
    expect(out.genuineProbes).toBeGreaterThan(0);
    expect(out.strangerProbes).toBeGreaterThan(0);
    expect(out.images).toBe(16);
    expect(out.identities).toBe(4);
    // Time to a recognition on multi-frame sequences, ours and the plain chain on the same frames:
    // one sequence per probe picture, each ending recognised (right or wrong person) or not at all.
    for (const k of ['toRecognitionP50Ms', 'toRecognitionP95Ms', 'baselineToRecognitionP50Ms']) {
      expect(typeof out[k], k).toBe('number');
      expect(out[k] as number, k).toBeGreaterThan(0);
    }
    expect(out.toRecognitionP95Ms as number).toBeGreaterThanOrEqual(out.toRecognitionP50Ms as number);
    expect(out.toRecognitionVsBaseline).toBeCloseTo(
      (out.toRecognitionP50Ms as number) / (out.baselineToRecognitionP50Ms as number),
      6,
    );
    const seq = out.sequences as Record<string, Record<string, number>> & { sequences: number };
    expect(seq.sequences).toBe(out.genuineProbes);
    for (const side of [seq.ours, seq.baseline]) {
      expect(side?.sequences).toBe(seq.sequences);
      expect((side?.correct ?? 0) + (side?.wrongPerson ?? 0) + (side?.never ?? 0)).toBe(seq.sequences);
      // Three agreeing frames at least, each photo held 4-6 frames.
      expect(side?.framesToRecognitionP50).toBeGreaterThanOrEqual(3);
      expect(side?.frames).toBeGreaterThanOrEqual(3 * seq.sequences);
    }
    expect(seq.ours?.toRecognitionP50Ms).toBe(out.toRecognitionP50Ms);
  }, 300_000);
});
