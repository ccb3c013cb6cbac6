/**
 * SQLite bulk writes on their own better-sqlite3 connection (WAL lets it share the file with
 * Prisma's connection and the ingest's writer), in one synchronous transaction: nothing else
 * runs on the event loop meanwhile, so no other writer can be caught waiting for a lock this
 * transaction holds (see bulk-writer.repository.ts). A month close of 230 000 days holds the
 * loop for about two seconds, its rules included (`writeEach`: each chunk of employees is computed
 * inside the transaction, just before it is written); the recompute path writes a few hundred
 * days at a time. Tables, columns and rows are the ones JsonBulkWriter writes.
 */
import type Database from 'better-sqlite3';
import { SqliteConnection } from '../repositories/sqlite-connection.ts';
import {
  ALLOWANCE_TABLE,
  allowanceRow,
  type BulkTable,
  type BulkWrite,
  type BulkWriter,
  DAY_TABLE,
  dayRow,
  LOCK_TABLE,
  lockRow,
} from './bulk-writer.repository.ts';
import { type ColumnType, onConflict } from './json-rows.ts';

/** The text Prisma's SQLite adapter writes for a DateTime, so both read back alike. */
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace('Z', '+00:00'));

type Bind = (v: unknown) => unknown;

/** A row value as better-sqlite3 binds it, by column type (what Prisma stores on SQLite). */
const BIND: Record<ColumnType, Bind> = {
  text: (v) => v,
  int: (v) => v,
  bool: (v) => (v ? 1 : 0),
  time: (v) => iso(v as number | null),
  json: (v) => JSON.stringify(v),
};

type Upsert = (row: unknown[], computedAt: string | null) => void;

/** An upsert into `t` of one row (its values bound in place), with `computed_at` when `stamped`. */
function prepareUpsert(db: Database.Database, t: BulkTable, stamped: boolean): Upsert {
  const names = [...t.columns.map(([c]) => c), ...(stamped ? ['computed_at'] : [])];
  const stmt = db.prepare(
    `INSERT INTO "${t.table}" (${names.map((c) => `"${c}"`).join(',')}) VALUES (${names.map(() => '?').join(',')}) ${onConflict(names, t)}`,
  );
  const binds = t.columns.map(([, type]) => BIND[type]);
  return (row, computedAt) => {
    for (let i = 0; i < binds.length; i++) row[i] = (binds[i] as Bind)(row[i]);
    if (stamped) row.push(computedAt);
    stmt.run(row);
  };
}

export class SqliteBulkWriter implements BulkWriter {
  private readonly conn: SqliteConnection;
  private readonly owned: boolean;
  private readonly upsertDay: Upsert;
  private readonly deleteDays: Database.Statement;
  private readonly upsertAllowance: Upsert;
  private readonly insertLock: Upsert;
  private readonly tx: (w: BulkWrite) => void;
  private readonly txEach: (next: () => BulkWrite | null) => void;

  /** A file: a connection of its own; a connection: shared with the ingest's writer and the recompute's reads. */
  constructor(source: string | SqliteConnection) {
    this.owned = typeof source === 'string';
    this.conn = typeof source === 'string' ? new SqliteConnection(source) : source;
    const db = this.conn.db;
    this.upsertDay = prepareUpsert(db, DAY_TABLE, true);
    this.deleteDays = db.prepare(
      `DELETE FROM daily_record
       WHERE work_date IN (SELECT value FROM json_each(?)) AND employee_id IN (SELECT value FROM json_each(?))`,
    );
    this.upsertAllowance = prepareUpsert(db, ALLOWANCE_TABLE, true);
    this.insertLock = prepareUpsert(db, LOCK_TABLE, false);
    this.tx = db.transaction((w: BulkWrite) => this.run(w));
    this.txEach = db.transaction((next: () => BulkWrite | null) => {
      for (let w = next(); w !== null; w = next()) this.run(w);
    });
  }

  private run(w: BulkWrite): void {
    const at = iso(w.at);
    for (const g of w.deleteDays ?? []) {
      if (g.employeeIds.length > 0 && g.dates.length > 0) {
        this.deleteDays.run(JSON.stringify(g.dates), JSON.stringify(g.employeeIds));
      }
    }
    for (const d of w.days ?? []) this.upsertDay(dayRow(d), at);
    for (const r of w.allowances ?? []) this.upsertAllowance(allowanceRow(r), at);
    if (w.lock) this.insertLock(lockRow(w.lock, w.at), null);
  }

  write(w: BulkWrite): Promise<void> {
    try {
      this.conn.busyTimeout(10_000);
      this.tx(w);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** One synchronous transaction over every part; `next` runs inside it (a throw rolls back). */
  writeEach(next: () => BulkWrite | null): Promise<void> {
    try {
      this.conn.busyTimeout(10_000);
      this.txEach(next);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  close(): void {
    if (this.owned) this.conn.close();
  }
}
