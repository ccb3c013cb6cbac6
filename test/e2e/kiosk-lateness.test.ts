/**
 * "Tepat waktu", "Terlambat 12 menit" or "Di luar jam absen" on the kiosk screen the moment a punch is recorded, with the
 * broker unreachable too: the backend puts the coming week's work hours of the site's employees in
 * the retained config, the kiosk keeps the last config on disk, and what it says matches the day
 * record the backend computes once the punches arrive. Shifts are set relative to the real clock
 * (the kiosk stamps punches with it), as dated rosters for today in WIB.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigPayload } from '../../protocol/index.ts';
import { Cluster } from '../support/cluster.ts';
import { until } from '../support/mqtt.ts';
import { runTs } from '../support/proc.ts';
import { nip } from '../support/punches.ts';
import { waitDay } from './rules-support.ts';

const WIB_MS = 7 * 3_600_000;
const MINUTE = 60_000;
/** Local WIB date and HH:MM of an instant (seconds dropped, as a roster is written). */
const wibClock = (ms: number) => {
  const s = new Date(ms + WIB_MS).toISOString();
  return { date: s.slice(0, 10), hhmm: s.slice(11, 16) };
};

describe('the kiosk says on time or late at once, offline too', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await Cluster.start({ db: 'sqlite' });
  }, 60_000);
  afterAll(async () => {
    await c?.stop();
  });

  it('shows the lateness the backend then records, from the saved config with the broker unreachable', async () => {
    const now = Date.now();
    const people = {
      late: { nip: nip(801), start: now - 12 * MINUTE, end: now + 7 * 3_600_000 },
      onTime: { nip: nip(802), start: now + 30 * MINUTE, end: now + 8 * 3_600_000 },
      early: { nip: nip(803), start: now - 8 * 3_600_000, end: now + 20 * MINUTE },
      // The punch window (one hour after the end) closed two hours ago: the punch will not count.
      outside: { nip: nip(804), start: now - 6 * 3_600_000, end: now - 3 * 3_600_000 },
    };
    for (const [name, p] of Object.entries(people)) {
      await c.createEmployee(p.nip, `Pegawai ${name}`);
      const s = wibClock(p.start);
      const e = wibClock(p.end);
      const schedule = await c.api('POST', '/api/schedules', {
        id: `roster-${name}`,
        name: `Roster ${name}`,
        pattern: { kind: 'Dated', days: { [s.date]: { start: s.hhmm, end: e.hhmm } } },
        punchWindow: {
          kind: 'Relative',
          beforeStartMinutes: 120,
          afterEndMinutes: name === 'outside' ? 60 : 120,
        },
        observesHolidays: false,
        followsSpecialPeriods: false,
      });
      expect(schedule.status).toBe(201);
      const assigned = await c.api('POST', '/api/schedule-assignments', {
        scheduleId: `roster-${name}`,
        target: { kind: 'Employee', employeeId: p.nip },
        effectiveFrom: wibClock(now - 2 * 86_400_000).date,
        effectiveTo: null,
      });
      expect(assigned.status).toBe(201);
    }
    const t = await c.registerTerminal('Pintu utama');
    const dataDir = join(c.dir, 'kiosks');
    const args = ['--id', t.id, '--secret', t.password, '--data-dir', dataDir, '--ack-timeout-ms', '2000'];

    // Online once: the kiosk receives its config (after the schedules, so with them) and keeps it.
    const configFile = join(dataDir, `config-${t.id}.json`);
    const first = runTs('terminal/main.ts', [...args, '--mqtt-url', c.mqttUrl], {}, join(c.dir, 'k1.log'));
    expect(await until(async () => existsSync(configFile), 20_000)).toBe(true);
    await first.kill('SIGTERM');
    const saved = ConfigPayload.parse(JSON.parse(readFileSync(configFile, 'utf8')));
    // Four rosters: the most common is the default, the others are named per employee.
    expect(Object.keys(saved.workHours?.schedules ?? {})).toHaveLength(4);
    expect(Object.keys(saved.workHours?.employees ?? {})).toHaveLength(3);

    // Broker unreachable: four punches, each shown with its status at once.
    const nips = [people.late.nip, people.onTime.nip, people.early.nip, people.outside.nip];
    const offline = runTs(
      'terminal/main.ts',
      [
        ...args,
        '--mqtt-url',
        'mqtt://127.0.0.1:1',
        '--simulate',
        '--employees',
        nips.join(','),
        '--count',
        '4',
      ],
      {},
      join(c.dir, 'k2.log'),
    );
    const screen = (n: string) => offline.waitFor((l) => l.startsWith('[layar]') && l.includes(n), 30_000);
    const lines = {
      late: await screen(people.late.nip),
      onTime: await screen(people.onTime.nip),
      early: await screen(people.early.nip),
      outside: await screen(people.outside.nip),
    };
    await offline.kill('SIGTERM');
    expect(lines.onTime).toContain('Tercatat / Recorded - Tepat waktu / On time');
    expect(lines.late).toMatch(/Terlambat (\d+) menit \/ \1 min late/);
    expect(lines.early).toMatch(/Pulang lebih awal (\d+) menit/);
    // The shift is on today's date (WIB) or began yesterday evening: outside today's window, or
    // today is not a work day for this roster. The day record says the same (RULES.md).
    const today = (ms: number) => wibClock(ms).date;
    const sameDate = today(people.outside.start) === today(now);
    expect(lines.outside).toContain(sameDate ? 'Di luar jam absen' : 'Bukan hari kerja');

    // Back online: the punches arrive and the backend's day records agree with the screen.
    const back = runTs(
      'terminal/main.ts',
      // Nothing new to punch (--count 0): it only delivers what the outbox holds.
      [
        ...args,
        ...['--mqtt-url', c.mqttUrl, '--simulate', '--employees', nips[0] as string, '--count', '0'],
        '--exit-when-drained',
      ],
      {},
      join(c.dir, 'k3.log'),
    );
    expect(await back.exited).toBe(0);
    const late = await waitDay(c, people.late.nip, today(people.late.start), (d) => d.lateMinutes !== null);
    expect(lines.late).toContain(`Terlambat ${late.lateMinutes} menit`);
    expect(late.lateMinutes).toBeGreaterThanOrEqual(12);
    const onTime = await waitDay(c, people.onTime.nip, today(people.onTime.start), (d) => d.arrival !== null);
    expect(onTime.lateMinutes).toBe(0);
    const early = await waitDay(
      c,
      people.early.nip,
      today(people.early.start),
      (d) => d.earlyMinutes !== null,
    );
    expect(lines.early).toContain(`Pulang lebih awal ${early.earlyMinutes} menit`);
    expect(early.earlyMinutes).toBeGreaterThan(0);
    const outside = await waitDay(c, people.outside.nip, today(now), (d) => d.ignoredPunches.length > 0);
    expect(outside.ignoredPunches.map((p) => p.reason)).toEqual([sameDate ? 'OutsideWindow' : 'NotAWorkDay']);
    expect(outside.arrival).toBeNull();
  }, 120_000);
});
