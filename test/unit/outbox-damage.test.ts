/**
 * Issue #12, finding 7 (and the kiosk half of 4): one damaged row, a punch the backend refused for
 * its content, or a damaged outbox file must not stop the intact punches behind them.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { logger } from '../../lib/logger.ts';
import { Outbox } from '../../terminal/outbox.ts';
import { type EventChannel, OutboxSender } from '../../terminal/sender.ts';
import { nip } from '../support/punches.ts';

class Channel implements EventChannel {
  connected = true;
  sent: string[] = [];
  publishEvent(payload: string): void {
    this.sent.push((JSON.parse(payload) as { id: string }).id);
  }
}

const log = logger('test');
log.level = 'silent';
const dir = () => mkdtempSync(join(tmpdir(), 'att-outbox-damage-'));

function fill(outbox: Outbox, n: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = uuidv7();
    ids.push(id);
    outbox.add({
      id,
      employeeId: nip(i),
      method: 'face',
      capturedAt: new Date().toISOString(),
      clock: { synced: true },
    });
  }
  return ids;
}

function reply(ids: string[], rejected: { id?: string; code: string; reason: string }[] = []) {
  return Buffer.from(JSON.stringify({ v: 1, ids, rejected, serverTime: new Date().toISOString() }));
}

describe('a damaged row in the outbox', () => {
  it('is set aside and the punches behind it are still sent', () => {
    const file = join(dir(), 'o.db');
    let outbox = new Outbox(file);
    const ids = fill(outbox, 5);
    outbox.close();
    const raw = new Database(file);
    raw.prepare('UPDATE outbox SET body = ? WHERE seq = 2').run('{"v":1,"id":"torn');
    raw.prepare('UPDATE outbox SET body = ? WHERE seq = 4').run('{"id":"x"}');
    raw.close();

    outbox = new Outbox(file);
    const ch = new Channel();
    const sender = new OutboxSender(outbox, ch, { log, window: 10 });
    sender.onConnect();
    expect(ch.sent).toEqual([ids[0], ids[2], ids[4]]);
    expect(outbox.quarantined()).toBe(2);
    sender.onAck(reply(ch.sent));
    expect(outbox.depth()).toBe(0);
    // Kept in the file, with the reason.
    outbox.close();
    const rows = new Database(file, { readonly: true })
      .prepare('SELECT seq, quarantine_reason AS r FROM outbox WHERE quarantined_at IS NOT NULL ORDER BY seq')
      .all();
    expect(rows).toEqual([
      { seq: 2, r: 'unreadable: body is not JSON' },
      { seq: 4, r: 'unreadable: body has no employeeId' },
    ]);
  });
});

describe('a punch the backend refuses for its content', () => {
  it('is set aside, no longer pending, and the next ones go on', () => {
    const outbox = new Outbox(join(dir(), 'o.db'));
    const ids = fill(outbox, 3);
    const ch = new Channel();
    const sender = new OutboxSender(outbox, ch, { log, window: 10 });
    sender.onConnect();
    sender.onAck(
      reply([ids[0] as string, ids[2] as string], [{ id: ids[1], code: 'SCHEMA', reason: 'method: bad' }]),
    );
    expect(outbox.depth()).toBe(0);
    expect(outbox.oldestPendingAt()).toBeUndefined();
    expect(outbox.quarantined()).toBe(1);
    // A refusal a backend upgrade can cure stays pending.
    const [late] = fill(outbox, 1);
    sender.notify();
    sender.onAck(reply([], [{ id: late, code: 'VERSION', reason: 'unsupported protocol version 2' }]));
    expect(outbox.depth()).toBe(1);
    outbox.close();
  });
});

describe('a damaged outbox file', () => {
  it('that is not a database is set aside and the kiosk starts with a fresh one', () => {
    const d = dir();
    const file = join(d, 'o.db');
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    let seen: unknown;
    const outbox = new Outbox(file, (r) => {
      seen = r;
    });
    expect(outbox.recovery).toMatchObject({ salvaged: 0 });
    expect(seen).toBe(outbox.recovery);
    expect(existsSync(outbox.recovery?.setAside as string)).toBe(true);
    expect(readFileSync(outbox.recovery?.setAside as string)[0]).toBe(0x5a);
    fill(outbox, 1);
    expect(outbox.depth()).toBe(1);
    outbox.close();
  });

  it('with a damaged page keeps the pending punches that can still be read', () => {
    const d = dir();
    const file = join(d, 'o.db');
    const outbox = new Outbox(file);
    const ids = fill(outbox, 400);
    outbox.ack(ids.slice(0, 100));
    outbox.close();
    const wal = new Database(file);
    wal.pragma('wal_checkpoint(TRUNCATE)');
    wal.close();
    // Overwrite one page in the middle of the table with garbage.
    const bytes = readFileSync(file);
    const page = 4096;
    const victim = Math.floor(bytes.length / page / 2);
    bytes.fill(0xa5, victim * page, (victim + 1) * page);
    writeFileSync(file, bytes);

    const again = new Outbox(file);
    expect(again.recovery).toBeDefined();
    const salvaged = again.recovery?.salvaged ?? 0;
    expect(salvaged).toBeGreaterThan(250); // one 4 KiB page holds ~15 rows: the rest is read
    expect(salvaged).toBeLessThan(300);
    expect(again.depth()).toBe(salvaged);
    // None of the acknowledged ones come back.
    const pending = again.pending(0, 1000).map((p) => p.id);
    expect(pending.every((id) => ids.indexOf(id) >= 100)).toBe(true);
    again.close();
    expect(readdirSync(d).some((f) => f.startsWith('o.db.damaged-'))).toBe(true);
  });
});
