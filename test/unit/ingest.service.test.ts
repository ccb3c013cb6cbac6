import { describe, expect, it } from 'vitest';
import { IngestService } from '../../backend/ingest/ingest.service.ts';
import type { AckPublisher, EventRow, EventStore } from '../../backend/ingest/ports.ts';
import type { Rejection, RejectionSink } from '../../broker/ports.ts';
import { logger } from '../../lib/logger.ts';
import { topics } from '../../protocol/index.ts';
import { goodEvent, nip } from '../support/punches.ts';

/** An in-memory store with the repository's contract: insert by id, report what was new. */
class MemoryStore implements EventStore {
  rows = new Map<string, EventRow>();
  failNext = false;
  failures = 0;
  async insertEvents(rows: EventRow[]) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database is locked');
    }
    if (this.failures > 0) {
      this.failures--;
      throw new Error('database is down');
    }
    const inserted = new Set<string>();
    for (const r of rows) {
      if (!this.rows.has(r.id)) {
        this.rows.set(r.id, r);
        inserted.add(r.id);
      }
    }
    return inserted;
  }
  async knownEmployees(nips: string[]) {
    return new Set(nips.filter((n) => n === nip(1)));
  }
}

function setup(now = new Date('2026-11-30T00:30:00Z')) {
  const store = new MemoryStore();
  const acks: Array<{
    tid: string;
    body: { ids: string[]; rejected?: Array<{ code: string; id?: string }> };
  }> = [];
  const rejected: Rejection[] = [];
  const publisher: AckPublisher = {
    async publishAck(tid, payload) {
      acks.push({ tid, body: JSON.parse(payload) });
    },
  };
  const sink: RejectionSink = { record: (r) => rejected.push(r) };
  const log = logger('test');
  log.level = 'silent';
  const ingest = new IngestService({
    store,
    rejections: sink,
    acks: publisher,
    log,
    now: () => now,
    skewToleranceMs: 60_000,
  });
  return { store, acks, rejected, ingest };
}

const send = (ingest: IngestService, tid: string, payload: unknown) =>
  ingest.accept(
    topics.event(tid),
    Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
  );

describe('IngestService', () => {
  it('stores once, acks duplicates again, and acks only after the commit', async () => {
    const { store, acks, ingest } = setup();
    const e = goodEvent(1, nip(1));
    send(ingest, 'ka', e);
    send(ingest, 'ka', e);
    await ingest.settled();
    send(ingest, 'ka', e);
    await ingest.settled();
    expect(store.rows.size).toBe(1);
    expect(acks.flatMap((a) => a.body.ids)).toEqual([e.id, e.id, e.id]);
    expect(ingest.stats).toMatchObject({ stored: 1, duplicates: 1 });
  });

  it('does not ack a batch whose commit failed, and goes on with the next', async () => {
    const { store, acks, ingest } = setup();
    store.failures = 5; // more than the retries
    const e1 = goodEvent(1, nip(1));
    send(ingest, 'ka', e1);
    await ingest.settled();
    expect(acks).toEqual([]);
    send(ingest, 'ka', e1);
    await ingest.settled();
    expect(acks.flatMap((a) => a.body.ids)).toEqual([e1.id]);
  });

  it('keeps and flags punches of unknown employees and skewed clocks', async () => {
    const now = new Date('2026-11-30T00:30:00Z');
    const { store, ingest } = setup(now);
    const ok = goodEvent(1, nip(1), {
      capturedAt: '2026-11-30T07:29:00+07:00',
      sentAt: '2026-11-30T07:30:00+07:00',
    });
    const stranger = goodEvent(2, nip(9), {
      capturedAt: '2026-11-30T07:29:00+07:00',
      sentAt: '2026-11-30T07:30:00+07:00',
    });
    const fast = goodEvent(3, nip(1), {
      capturedAt: '2026-11-30T07:40:00+07:00',
      sentAt: '2026-11-30T07:40:00+07:00',
    });
    const unsynced = goodEvent(4, nip(1), {
      sentAt: now.toISOString(),
      capturedAt: now.toISOString(),
      clock: { synced: false },
    });
    // A week in the outbox is not skew: sentAt is fresh.
    const old = goodEvent(5, nip(1), { capturedAt: '2026-11-23T07:29:00+07:00', sentAt: now.toISOString() });
    for (const e of [ok, stranger, fast, unsynced, old]) send(ingest, 'ka', e);
    await ingest.settled();
    const row = (id: string) => store.rows.get(id);
    expect(row(ok.id)).toMatchObject({ unknownEmployee: false, clockSkew: false, skewMs: 0 });
    expect(row(stranger.id)).toMatchObject({ unknownEmployee: true, employeeId: nip(9) });
    expect(row(fast.id)).toMatchObject({ clockSkew: true, skewMs: -600_000 });
    expect(row(unsynced.id)?.clockSkew).toBe(true);
    expect(row(old.id)).toMatchObject({ clockSkew: false, capturedAt: new Date('2026-11-23T00:29:00Z') });
    expect(row(ok.id)?.receivedAt).toEqual(now);
  });

  it('flags a capture time no outage explains, and still stores and acks it (#12, finding 9)', async () => {
    const now = new Date('2026-11-30T00:30:00Z');
    const { store, acks, ingest } = setup(now);
    const sent = { sentAt: now.toISOString(), clock: { synced: true, offsetMs: 0 } };
    const daysBefore = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
    const y2000 = goodEvent(1, nip(1), { ...sent, capturedAt: '2000-01-01T07:30:00+07:00' });
    const before2020 = goodEvent(2, nip(1), { ...sent, capturedAt: '2019-12-31T23:59:59Z' });
    const twoMonths = goodEvent(3, nip(1), { ...sent, capturedAt: daysBefore(46) });
    // An outbox that waited a month through an outage: late, not skewed.
    const aMonth = goodEvent(4, nip(1), { ...sent, capturedAt: daysBefore(30) });
    for (const e of [y2000, before2020, twoMonths, aMonth]) send(ingest, 'ka', e);
    await ingest.settled();
    const flags = Object.fromEntries(
      [y2000, before2020, twoMonths, aMonth].map((e) => [e.seq, store.rows.get(e.id)?.clockSkew]),
    );
    expect(flags).toEqual({ 1: true, 2: true, 3: true, 4: false });
    expect(store.rows.get(y2000.id)).toMatchObject({
      capturedAt: new Date('2000-01-01T00:30:00Z'),
      skewMs: 0,
    });
    expect(acks.flatMap((a) => a.body.ids)).toEqual([y2000.id, before2020.id, twoMonths.id, aMonth.id]);
  });

  it('records bad messages with reasons, tells the kiosk, and lets the good ones behind them through', async () => {
    const { store, acks, rejected, ingest } = setup();
    const good = [goodEvent(1, nip(1)), goodEvent(2, nip(1))];
    send(ingest, 'ka', 'garbage{');
    send(ingest, 'ka', good[0]);
    send(ingest, 'ka', { ...goodEvent(3), v: 7 });
    ingest.accept('att/v1/t/ka/status', Buffer.from('{}'));
    send(ingest, 'ka', good[1]);
    await ingest.settled();
    expect([...store.rows.keys()].sort()).toEqual(good.map((g) => g.id).sort());
    expect(rejected.map((r) => r.code)).toEqual(['BAD_JSON', 'VERSION', 'TOPIC']);
    const last = acks.at(-1)?.body;
    expect(last?.ids.sort()).toEqual(good.map((g) => g.id).sort());
    expect(last?.rejected?.map((r) => r.code)).toEqual(['BAD_JSON', 'VERSION']);
  });
});

describe('IngestService retries', () => {
  it('retries a failed insert without recording rejections twice', async () => {
    const { store, acks, rejected, ingest } = setup();
    store.failNext = true;
    const e = goodEvent(1, nip(1));
    send(ingest, 'ka', 'garbage{');
    send(ingest, 'ka', e);
    await ingest.settled();
    expect([...store.rows.keys()]).toEqual([e.id]);
    expect(rejected.length).toBe(1);
    expect(acks.flatMap((a) => a.body.ids)).toEqual([e.id]);
  });
});
