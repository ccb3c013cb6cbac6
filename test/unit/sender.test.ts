import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../lib/logger.ts';
import { Outbox } from '../../terminal/outbox.ts';
import { type EventChannel, OutboxSender } from '../../terminal/sender.ts';
import { nip } from '../support/punches.ts';

class FakeChannel implements EventChannel {
  connected = true;
  sent: Array<{ id: string; seq: number }> = [];
  publishEvent(payload: string): void {
    const p = JSON.parse(payload) as { id: string; seq: number };
    this.sent.push({ id: p.id, seq: p.seq });
  }
}

const ack = (ids: string[]) =>
  Buffer.from(JSON.stringify({ v: 1, ids, serverTime: new Date().toISOString() }));

describe('OutboxSender', () => {
  let outbox: Outbox;
  const log = logger('test');
  log.level = 'silent';
  beforeEach(() => {
    outbox = new Outbox(join(mkdtempSync(join(tmpdir(), 'att-outbox-')), 'o.db'));
    for (let i = 0; i < 10; i++) {
      outbox.add({
        id: uuidv7(),
        employeeId: nip(1),
        method: 'face',
        capturedAt: new Date().toISOString(),
        clock: { synced: true },
      });
    }
  });
  afterEach(() => {
    vi.useRealTimers();
    outbox.close();
  });

  it('sends in seq order within the window and retires acked punches', () => {
    const ch = new FakeChannel();
    const s = new OutboxSender(outbox, ch, { log, window: 4 });
    s.onConnect();
    expect(ch.sent.map((x) => x.seq)).toEqual([1, 2, 3, 4]);
    s.onAck(ack(ch.sent.slice(0, 2).map((x) => x.id)));
    expect(ch.sent.map((x) => x.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(outbox.depth()).toBe(8);
  });

  it('sends nothing while disconnected and everything pending on reconnect, from the lowest seq', () => {
    const ch = new FakeChannel();
    ch.connected = false;
    const s = new OutboxSender(outbox, ch, { log, window: 100 });
    s.notify();
    expect(ch.sent).toEqual([]);
    ch.connected = true;
    s.onConnect();
    s.onAck(ack(ch.sent.slice(0, 3).map((x) => x.id)));
    ch.sent = [];
    s.onConnect();
    expect(ch.sent.map((x) => x.seq)).toEqual([4, 5, 6, 7, 8, 9, 10]);
  });

  it('resends from the lowest unacked seq when no ack comes in time, backing off', async () => {
    vi.useFakeTimers();
    const ch = new FakeChannel();
    const s = new OutboxSender(outbox, ch, { log, window: 100, ackTimeoutMs: 1000, maxBackoffMs: 4000 });
    s.start();
    s.onConnect();
    expect(ch.sent.length).toBe(10);
    await vi.advanceTimersByTimeAsync(1500);
    expect(ch.sent.length).toBe(20);
    expect(ch.sent.slice(10).map((x) => x.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await vi.advanceTimersByTimeAsync(1000); // resent at ~1 s; the timeout is now 2 s: none due at 2.5 s
    expect(ch.sent.length).toBe(20);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ch.sent.length).toBe(30);
    s.stop();
  });

  it('ignores a malformed ack', () => {
    const ch = new FakeChannel();
    const s = new OutboxSender(outbox, ch, { log });
    s.onConnect();
    s.onAck(Buffer.from('{"v":1,"ids":"all"}'));
    expect(outbox.depth()).toBe(10);
  });
});

describe('Outbox', () => {
  it('prunes only acknowledged punches older than the retention, and never reuses a seq', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'att-outbox-')), 'o.db');
    const box = new Outbox(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const mk = () =>
      box.add({
        id: uuidv7(),
        employeeId: nip(1),
        method: 'face',
        capturedAt: new Date().toISOString(),
        clock: { synced: true },
      });
    const a = mk();
    const b = mk();
    box.ack([a.id, b.id]);
    expect(box.prune(60_000)).toBe(0); // acked just now: kept
    expect(box.prune(-1)).toBe(2);
    const c = mk();
    expect(c.seq).toBe(3);
    expect(box.prune(-1)).toBe(0); // pending: never pruned
    expect(box.depth()).toBe(1);
    box.close();
  });
});
