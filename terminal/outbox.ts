/**
 * The kiosk's durable outbox: a punch is committed here (WAL, synchronous
 * FULL, so it survives a power cut) before the screen shows anything, and
 * stays until the backend acknowledges that it is in the database.
 */
import type Database from 'better-sqlite3';
import type { ClockState, PunchMethod } from '../protocol/index.ts';
import { type DeviceMigration, openDeviceDbSalvaging } from './device-db.ts';

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
  // Quarantine: a row that cannot be read, or a punch the backend refused for its content, is set
  // aside (kept, counted in the status) so that it no longer blocks the punches behind it (#12).
  (db) => {
    db.exec(`
      ALTER TABLE outbox ADD COLUMN quarantined_at INTEGER;
      ALTER TABLE outbox ADD COLUMN quarantine_reason TEXT;
      DROP INDEX outbox_pending;
      CREATE INDEX outbox_pending ON outbox(seq) WHERE acked_at IS NULL AND quarantined_at IS NULL;
    `);
  },
];

const PENDING = 'acked_at IS NULL AND quarantined_at IS NULL';

/** A stored body as a punch, or why it is not one (a torn write, a bit flip, an edited file). */
function readBody(body: unknown): Punch | string {
  if (typeof body !== 'string') return 'body is not text';
  let p: Partial<Punch>;
  try {
    p = JSON.parse(body) as Partial<Punch>;
  } catch {
    return 'body is not JSON';
  }
  if (typeof p !== 'object' || p === null) return 'body is not an object';
  for (const k of ['id', 'employeeId', 'method', 'capturedAt'] as const) {
    if (typeof p[k] !== 'string') return `body has no ${k}`;
  }
  if (typeof p.clock !== 'object' || p.clock === null) return 'body has no clock';
  return p as Punch;
}

export class Outbox {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly pendingAfter: Database.Statement;
  private readonly ackOne: Database.Statement;
  private readonly depthStmt: Database.Statement;
  private readonly oldestStmt: Database.Statement;
  private readonly quarantineOne: Database.Statement;
  private readonly quarantinedStmt: Database.Statement;
  /** What opening found: a damaged file set aside, and how many of its pending punches were saved. */
  readonly recovery: { setAside: string; salvaged: number; reason: string } | undefined;

  constructor(file: string, onRecovery?: (r: NonNullable<Outbox['recovery']>) => void) {
    // Punches name people and times: personal data, readable by the kiosk's user only.
    const opened = openDeviceDbSalvaging(file, MIGRATIONS, SALVAGE);
    this.db = opened.db;
    this.recovery = opened.recovery;
    if (opened.recovery) onRecovery?.(opened.recovery);
    this.insert = this.db.prepare('INSERT INTO outbox (id, body, created_at) VALUES (?, ?, ?) RETURNING seq');
    this.pendingAfter = this.db.prepare(
      `SELECT seq, body FROM outbox WHERE ${PENDING} AND seq > ? ORDER BY seq LIMIT ?`,
    );
    this.ackOne = this.db.prepare('UPDATE outbox SET acked_at = ? WHERE id = ? AND acked_at IS NULL');
    this.depthStmt = this.db.prepare(`SELECT count(*) AS n FROM outbox WHERE ${PENDING}`);
    this.oldestStmt = this.db.prepare(`SELECT min(created_at) AS t FROM outbox WHERE ${PENDING}`);
    this.quarantineOne = this.db.prepare(
      `UPDATE outbox SET quarantined_at = ?, quarantine_reason = ? WHERE (seq = ? OR id = ?) AND ${PENDING}`,
    );
    this.quarantinedStmt = this.db.prepare(
      'SELECT count(*) AS n FROM outbox WHERE acked_at IS NULL AND quarantined_at IS NOT NULL',
    );
  }

  /** Commits the punch and returns it with its sequence number. */
  add(p: Punch): StoredPunch {
    const row = this.insert.get(p.id, JSON.stringify(p), Date.now()) as { seq: number };
    return { ...p, seq: row.seq };
  }

  /**
   * Unacknowledged punches with seq > after, in seq order. A row that is not a readable punch is
   * quarantined on the way (and `onQuarantine` told), never returned, never in the way of the next.
   */
  pending(after: number, limit: number, onQuarantine?: (seq: number, reason: string) => void): StoredPunch[] {
    const out: StoredPunch[] = [];
    let from = after;
    while (out.length < limit) {
      const rows = this.pendingAfter.all(from, limit - out.length) as Array<{ seq: number; body: unknown }>;
      if (rows.length === 0) break;
      for (const r of rows) {
        const p = readBody(r.body);
        if (typeof p === 'string') {
          this.quarantineOne.run(Date.now(), `unreadable: ${p}`, r.seq, null);
          onQuarantine?.(r.seq, p);
        } else out.push({ ...p, seq: r.seq });
        from = r.seq;
      }
    }
    return out;
  }

  /** Sets a pending punch aside for good (the backend refused its content); it stays in the file. */
  quarantine(id: string, reason: string): boolean {
    return this.quarantineOne.run(Date.now(), reason.slice(0, 500), null, id).changes > 0;
  }

  /** Punches set aside: neither sent nor counted as pending. */
  quarantined(): number {
    return (this.quarantinedStmt.get() as { n: number }).n;
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

/** What is copied out of a damaged outbox file: the punches not yet acknowledged, row by row. */
const SALVAGE = {
  table: 'outbox',
  columns: ['id', 'body', 'created_at'],
  where: 'acked_at IS NULL',
} as const;
