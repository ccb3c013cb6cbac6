import { describe, expect, it } from 'vitest';
import {
  ConfigPayload,
  decodePayload,
  EventPayload,
  MAX_CONFIG_BYTES,
  MAX_EVENT_BYTES,
  parseTopic,
  topics,
} from '../../protocol/index.ts';
import { goodEvent } from '../support/punches.ts';

const decode = (p: unknown) =>
  decodePayload(EventPayload, typeof p === 'string' ? p : JSON.stringify(p), MAX_EVENT_BYTES);

describe('protocol v1', () => {
  it('builds and parses topics', () => {
    expect(topics.event('k1')).toBe('att/v1/t/k1/event');
    expect(parseTopic('att/v1/t/k1/event')).toEqual({ kind: 'terminal', terminalId: 'k1', leaf: 'event' });
    expect(parseTopic('att/v1/site/s1/gallery')).toEqual({ kind: 'site', siteId: 's1', leaf: 'gallery' });
    expect(parseTopic('att/v2/t/k1/event').kind).toBe('other');
    expect(parseTopic('att/v1/t/k1/event/extra').kind).toBe('other');
  });

  it('accepts a valid event', () => {
    const e = goodEvent(1);
    expect(decode(e)).toEqual({ ok: true, value: e });
  });

  it.each([
    ['{"v":1,', 'BAD_JSON', /not JSON/],
    [{ ...goodEvent(1), v: 2 }, 'VERSION', /unsupported protocol version 2/],
    [{ ...goodEvent(1), seq: 0 }, 'SCHEMA', /seq/],
    [{ ...goodEvent(1), capturedAt: '2026-11-30 07:00' }, 'SCHEMA', /capturedAt/],
    [{ ...goodEvent(1), extra: true }, 'SCHEMA', /extra|Unrecognized/],
    [{ ...goodEvent(1), id: 'not-a-uuid' }, 'SCHEMA', /id/],
    [{ ...goodEvent(1), pad: 'x'.repeat(MAX_EVENT_BYTES) }, 'TOO_LARGE', /limit 4096/],
  ])('refuses %j as %s', (payload, code, reason) => {
    const d = decode(payload);
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.code).toBe(code);
      expect(d.reason).toMatch(reason);
    }
  });

  it('refuses numbers and instants the database cannot hold, keeps the wrong clocks it can (#12)', () => {
    const refused = (over: Record<string, unknown>) => decode({ ...goodEvent(1), ...over }).ok === false;
    expect(refused({ seq: 2 ** 31 })).toBe(true);
    expect(refused({ seq: 2 ** 31 - 1 })).toBe(false);
    expect(refused({ clock: { synced: true, offsetMs: 2 ** 31 } })).toBe(true);
    expect(refused({ capturedAt: '1969-12-31T23:59:59Z' })).toBe(true);
    expect(refused({ sentAt: '2100-01-01T00:00:00Z' })).toBe(true);
    // A Raspberry Pi without RTC boots in 1970; year 2000 is wrong but possible: stored, flagged.
    expect(refused({ capturedAt: '1970-01-01T00:00:00Z', sentAt: '1970-01-01T00:00:05Z' })).toBe(false);
    expect(refused({ capturedAt: '2000-01-01T07:30:00+07:00' })).toBe(false);
  });

  it('keeps the id of a refused event so the kiosk can be told which one', () => {
    const e = { ...goodEvent(1), method: 'x' };
    const d = decode(e);
    expect(d.ok === false && d.id).toBe(e.id);
  });

  it('a config with settings this kiosk does not know yet still gives it the ones it knows', () => {
    const newer = {
      v: 1,
      serverTime: '2026-11-30T07:00:00.000+07:00',
      timeZone: 'Asia/Makassar',
      siteId: 'kantor-gubernur',
      livenessLevel: 'active',
      someFutureSetting: { on: true },
    };
    const d = decodePayload(ConfigPayload, Buffer.from(JSON.stringify(newer)), MAX_CONFIG_BYTES);
    expect(d.ok && d.value).toMatchObject({ timeZone: 'Asia/Makassar', livenessLevel: 'active' });
    expect(d.ok && 'someFutureSetting' in d.value).toBe(false);
    // What it knows is still checked.
    const bad = decodePayload(
      ConfigPayload,
      Buffer.from(JSON.stringify({ ...newer, livenessLevel: 'max' })),
      9999,
    );
    expect(bad.ok).toBe(false);
  });
});
