/**
 * SQLite bulk writes on their own better-sqlite3 connection (WAL lets it share the file with
 * Prisma's connection and the ingest's writer), in one synchronous transaction: nothing else
 * runs on the event loop meanwhile, so no other writer can be caught waiting for a lock this
 * transaction holds (see bulk-writer.repository.ts). A month close of 230 000 days holds the
 * loop for about two seconds, its rules included (`writeEach`: each chunk of employees is computed
 * inside the transaction, just before it is written); the recompute path writes a few hundred
 * days at a time.
 */
import Database from 'better-sqlite3';
import type { BulkWrite, BulkWriter } from './bulk-writer.repository.ts';

/** The text Prisma's SQLite adapter writes for a DateTime, so both read back alike. */
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace('Z', '+00:00'));

export class SqliteBulkWriter implements BulkWriter {
  private readonly db: Database.Database;
  private readonly upsertDay: Database.Statement;
  private readonly deleteDays: Database.Statement;
  private readonly upsertAllowance: Database.Statement;
  private readonly insertLock: Database.Statement;
  private readonly tx: (w: BulkWrite) => void;
  private readonly txEach: (next: () => BulkWrite | null) => void;

  constructor(file: string) {
    this.db = new Database(file, { timeout: 10_000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.upsertDay = this.db.prepare(
      `INSERT INTO daily_record (employee_id, work_date, unit_id, status, codes, late_minutes, early_minutes,
         deduction_bp, arrival, departure, provisional, detail, profile_id, profile_version, computed_at)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT (employee_id, work_date) DO UPDATE SET unit_id = excluded.unit_id, status = excluded.status,
         codes = excluded.codes, late_minutes = excluded.late_minutes, early_minutes = excluded.early_minutes,
         deduction_bp = excluded.deduction_bp, arrival = excluded.arrival, departure = excluded.departure,
         provisional = excluded.provisional, detail = excluded.detail, profile_id = excluded.profile_id,
         profile_version = excluded.profile_version, computed_at = excluded.computed_at`,
    );
    this.deleteDays = this.db.prepare(
      `DELETE FROM daily_record
       WHERE work_date IN (SELECT value FROM json_each(?)) AND employee_id IN (SELECT value FROM json_each(?))`,
    );
    this.upsertAllowance = this.db.prepare(
      `INSERT INTO monthly_allowance (employee_id, month, unit_id, base_amount, total_bp, deduction_amount,
         payable_amount, detail, locked, lock_scope, locked_at, computed_at)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT (employee_id, month) DO UPDATE SET unit_id = excluded.unit_id, base_amount = excluded.base_amount,
         total_bp = excluded.total_bp, deduction_amount = excluded.deduction_amount,
         payable_amount = excluded.payable_amount, detail = excluded.detail, locked = excluded.locked,
         lock_scope = excluded.lock_scope, locked_at = excluded.locked_at, computed_at = excluded.computed_at
       WHERE NOT monthly_allowance.locked`,
    );
    this.insertLock = this.db.prepare(
      `INSERT INTO month_lock (month, scope, employees, locked_by, locked_at) VALUES (?,?,?,?,?)
       ON CONFLICT (month, scope) DO NOTHING`,
    );
    this.tx = this.db.transaction((w: BulkWrite) => this.run(w));
    this.txEach = this.db.transaction((next: () => BulkWrite | null) => {
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
    for (const d of w.days ?? []) {
      this.upsertDay.run(
        d.employeeId,
        d.workDate,
        d.unitId,
        d.status,
        d.codes,
        d.lateMinutes,
        d.earlyMinutes,
        d.deductionBp,
        iso(d.arrival),
        iso(d.departure),
        d.provisional ? 1 : 0,
        JSON.stringify(d.detail),
        d.profileId,
        d.profileVersion,
        at,
      );
    }
    for (const r of w.allowances ?? []) {
      const a = r.allowance;
      this.upsertAllowance.run(
        a.employeeId,
        a.month,
        r.unitId,
        a.baseAmount,
        a.totalBp,
        a.deductionAmount,
        a.payableAmount,
        JSON.stringify(a),
        r.locked ? 1 : 0,
        r.lockScope,
        iso(r.lockedAt),
        at,
      );
    }
    if (w.lock) this.insertLock.run(w.lock.month, w.lock.scope, w.lock.employees, w.lock.lockedBy, at);
  }

  write(w: BulkWrite): Promise<void> {
    try {
      this.tx(w);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** One synchronous transaction over every part; `next` runs inside it (a throw rolls back). */
  writeEach(next: () => BulkWrite | null): Promise<void> {
    try {
      this.txEach(next);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  close(): void {
    this.db.close();
  }
}
