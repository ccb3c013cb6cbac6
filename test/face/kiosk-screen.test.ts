/** The kiosk screen: what each decision shows, and the console screen's one line per change. */
import { describe, expect, it } from 'vitest';
import { issue } from '../../face/quality.ts';
import {
  ConsoleScreen,
  formatScreenLine,
  screenMessageFor,
  screenMessageForFrameError,
} from '../../terminal/kiosk-screen.ts';

const names = (id: string) => (id === 'nip-1' ? 'Siti Rahmawati' : undefined);

describe('kiosk screen', () => {
  it('maps decisions to messages (none for a recognition: the welcome follows the outbox write)', () => {
    const far = issue('TOO_FAR', 50, 80);
    expect(screenMessageFor({ kind: 'hint', issue: far }, far)).toEqual({
      kind: 'hint',
      code: 'TOO_FAR',
      text: 'Mendekat ke kamera / Move closer',
    });
    expect(screenMessageFor({ kind: 'idle' }, issue('NO_FACE'))).toMatchObject({
      text: 'Wajah tidak terlihat / No face in view',
    });
    expect(screenMessageFor({ kind: 'idle' }, undefined)).toBeUndefined();
    expect(
      screenMessageFor({ kind: 'verifying', personId: 'nip-1', frames: 1, needed: 3 }, undefined, names),
    ).toEqual({
      kind: 'verifying',
      name: 'Siti Rahmawati',
    });
    expect(
      screenMessageFor(
        {
          kind: 'recognized',
          personId: 'nip-1',
          distance: 0.3,
          frames: 3,
          ts: 0,
          liveness: { checked: false },
        },
        undefined,
      ),
    ).toBeUndefined();
    expect(formatScreenLine(screenMessageFor({ kind: 'unknown' }, undefined) ?? { kind: 'ready' })).toBe(
      'Wajah tidak dikenali / Face not recognised',
    );
    expect(
      formatScreenLine(
        screenMessageFor({ kind: 'cooldown', personId: 'nip-1', remainingMs: 1 }, undefined, names) ?? {
          kind: 'ready',
        },
      ),
    ).toBe('Siti Rahmawati: Sudah tercatat / Already recorded');
    expect(
      formatScreenLine(
        screenMessageForFrameError({ kind: 'error', code: 'SOURCE_FAILED', message: 'x', index: 0 }),
      ),
    ).toBe('Kamera bermasalah / Camera error (SOURCE_FAILED)');
  });

  it('shows the welcome in the site’s time zone', () => {
    const line = formatScreenLine({
      kind: 'welcome',
      name: 'Siti Rahmawati',
      employeeId: '199001012015011001',
      at: new Date('2026-11-30T00:29:12Z'),
      timeZone: 'Asia/Jayapura',
    });
    expect(line).toBe('Siti Rahmawati (199001012015011001) 09.29.12 WIT - Tercatat / Recorded');
  });

  it('prints one line per change, and every welcome', () => {
    const out: string[] = [];
    const s = new ConsoleScreen((l) => out.push(l));
    const far = { kind: 'hint', code: 'TOO_FAR', text: 'Mendekat ke kamera / Move closer' } as const;
    const welcome = {
      kind: 'welcome',
      name: 'A',
      employeeId: '1',
      at: new Date(0),
      timeZone: 'UTC',
    } as const;
    for (const m of [far, far, far, welcome, welcome, far]) s.show(m);
    expect(out).toEqual([
      '[layar] Mendekat ke kamera / Move closer',
      '[layar] A (1) 00.00.00 UTC - Tercatat / Recorded',
      '[layar] A (1) 00.00.00 UTC - Tercatat / Recorded',
      '[layar] Mendekat ke kamera / Move closer',
    ]);
  });
});
