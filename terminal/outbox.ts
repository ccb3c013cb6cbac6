/**
 * The kiosk's durable outbox: a punch is committed here (WAL, synchronous
 * FULL, so it survives a power cut) before the screen shows anything, and
 * stays until the backend acknowledges that it is in the database.
 */
import type Database from 'better-sqlite3';
import type { ClockState, PunchMethod } from '../protocol/index.ts';
import { type DeviceMigration, openDeviceDb } from './device-db.ts';

export type Punch = {
  id: string;
  employeeId: string;
  method: PunchMethod;
  capturedAt: string;
  clock: ClockState;
  score?: number;
  distance?: number;
  liveness?: { checked: boolean; passed?: boolean; method?: string };
};

export type StoredPunch = Punch & { seq: number };

const MIGRATIONS: DeviceMigration[] = [
  (db) => {
    db.exec(`
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        acked_at INTEGER
      );
      CREATE INDEX outbox_pending ON outbox(seq) WHERE acked_at IS NULL;
    `);
  },
];

export class Outbox {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly pendingAfter: Database.Statement;
  private readonly ackOne: Database.Statement;
  private readonly depthStmt: Database.Statement;
  private readonly oldestStmt: Database.Statement;

  constructor(file: string) {
    // Punches name people and times: personal data, readable by the kiosk's user only.
    this.db = openDeviceDb(file, MIGRATIONS);
    this.insert = this.db.prepare('INSERT INTO outbox (id, body, created_at) VALUES (?, ?, ?) RETURNING seq');
    this.pendingAfter = this.db.prepare(
      'SELECT seq, body FROM outbox WHERE acked_at IS NULL AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.ackOne = this.db.prepare('UPDATE outbox SET acked_at = ? WHERE id = ? AND acked_at IS NULL');
    this.depthStmt = this.db.prepare('SELECT count(*) AS n FROM outbox WHERE acked_at IS NULL');
    this.oldestStmt = this.db.prepare('SELECT min(created_at) AS t FROM outbox WHERE acked_at IS NULL');
  }

  /** Commits the punch and returns it with its sequence number. */
  add(p: Punch): StoredPunch {
    const row = this.insert.get(p.id, JSON.stringify(p), Date.now()) as { seq: number };
    return { ...p, seq: row.seq };
  }

  /** Unacknowledged punches with seq > after, in seq order. */
  pending(after: number, limit: number): StoredPunch[] {
    const rows = this.pendingAfter.all(after, limit) as Array<{ seq: number; body: string }>;
    return rows.map((r) => ({ ...(JSON.parse(r.body) as Punch), seq: r.seq }));
  }

  /** Marks these ids acknowledged; returns how many were newly acked. */
  ack(ids: readonly string[]): number {
    const now = Date.now();
    return this.db.transaction(() => {
      let n = 0;
      for (const id of ids) n += this.ackOne.run(now, id).changes;
      return n;
    })();
  }

  depth(): number {
    return (this.depthStmt.get() as { n: number }).n;
  }

  oldestPendingAt(): Date | undefined {
    const t = (this.oldestStmt.get() as { t: number | null }).t;
    return t === null ? undefined : new Date(t);
  }

  /** Drops acknowledged punches older than `keepMs` (kept a while for local audit). */
  prune(keepMs: number): number {
    return this.db
      .prepare('DELETE FROM outbox WHERE acked_at IS NOT NULL AND acked_at < ?')
      .run(Date.now() - keepMs).changes;
  }

  close(): void {
    this.db.close();
  }
}
