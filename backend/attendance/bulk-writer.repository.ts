/**
 * The bulk writes of the rules: day records (and the removal of days that became days off),
 * monthly allowances and month locks, committed together. Two implementations:
 *
 * - `JsonBulkWriter` (PostgreSQL, and SQLite without a file): Prisma, rows as one JSON parameter
 *   per 4 000 (json-rows.ts), in one `$transaction`.
 * - `SqliteBulkWriter` (sqlite-bulk-writer.repository.ts): its own better-sqlite3 connection and
 *   one synchronous transaction. Faster (bench:rules: 230 000 days in ~1.9 s instead of ~2.9 s),
 *   and safe next to the ingest's own SQLite writer: a Prisma transaction on SQLite yields to the
 *   event loop between statements while holding the write lock, and a synchronous writer that
 *   then waits for that lock (busy timeout) blocks the very loop the transaction needs to finish.
 */
import type { IsoDate, IsoMonth } from '../domain/index.ts';
import type { Db } from '../repositories/db.ts';
import type { AllowanceRow } from './allowance.repository.ts';
import type { StoredDay } from './daily-record.mapper.ts';
import { type Column, commit, type Statement, type UpsertTarget, upsertStatements } from './json-rows.ts';

export type BulkWrite = {
  days?: readonly StoredDay[];
  /** Records to remove: these employees on these dates. */
  deleteDays?: ReadonlyArray<{ employeeIds: readonly string[]; dates: readonly IsoDate[] }>;
  /** Allowance rows; a row already locked is never overwritten. */
  allowances?: readonly AllowanceRow[];
  lock?: { month: IsoMonth; scope: string; employees: number; lockedBy: string };
  /** Epoch ms: computed_at / locked_at. */
  at: number;
};

export interface BulkWriter {
  write(w: BulkWrite): Promise<void>;
  /**
   * Writes what `next` returns until it returns null, all in one transaction; nothing is written
   * when `next` throws. `next` is called synchronously, one part at a time, so a caller can build
   * each part just before it is written (the month close computes a chunk of employees a part).
   */
  writeEach(next: () => BulkWrite | null): Promise<void>;
  close(): void;
}

export const DAY_COLUMNS: readonly Column[] = [
  ['employee_id', 'text'],
  ['work_date', 'text'],
  ['unit_id', 'text'],
  ['status', 'text'],
  ['codes', 'text'],
  ['late_minutes', 'int'],
  ['early_minutes', 'int'],
  ['deduction_bp', 'int'],
  ['arrival', 'time'],
  ['departure', 'time'],
  ['provisional', 'bool'],
  ['detail', 'json'],
  ['profile_id', 'text'],
  ['profile_version', 'int'],
];

export const ALLOWANCE_COLUMNS: readonly Column[] = [
  ['employee_id', 'text'],
  ['month', 'text'],
  ['unit_id', 'text'],
  ['base_amount', 'int'],
  ['total_bp', 'int'],
  ['deduction_amount', 'int'],
  ['payable_amount', 'int'],
  ['detail', 'json'],
  ['locked', 'bool'],
  ['lock_scope', 'text'],
  ['locked_at', 'time'],
];

const LOCK_COLUMNS: readonly Column[] = [
  ['month', 'text'],
  ['scope', 'text'],
  ['employees', 'int'],
  ['locked_by', 'text'],
  ['locked_at', 'time'],
];

/** A table the rules write: its columns (the order of a row's values), key and conflict rule. */
export interface BulkTable extends UpsertTarget {
  table: string;
  columns: readonly Column[];
}

/** Days and allowances also get `computed_at`, the write's instant. */
export const DAY_TABLE: BulkTable = {
  table: 'daily_record',
  columns: DAY_COLUMNS,
  key: ['employee_id', 'work_date'],
};

export const ALLOWANCE_TABLE: BulkTable = {
  table: 'monthly_allowance',
  columns: ALLOWANCE_COLUMNS,
  key: ['employee_id', 'month'],
  updateWhere: 'NOT "monthly_allowance"."locked"',
};

/** A month lock is never overwritten. */
export const LOCK_TABLE: BulkTable = {
  table: 'month_lock',
  columns: LOCK_COLUMNS,
  key: ['month', 'scope'],
  update: 'nothing',
};

/** A day as a row of DAY_COLUMNS. */
export function dayRow(d: StoredDay): unknown[] {
  return [
    d.employeeId,
    d.workDate,
    d.unitId,
    d.status,
    d.codes,
    d.lateMinutes,
    d.earlyMinutes,
    d.deductionBp,
    d.arrival,
    d.departure,
    d.provisional,
    d.detail,
    d.profileId,
    d.profileVersion,
  ];
}

/** An allowance as a row of ALLOWANCE_COLUMNS. */
export function allowanceRow(r: AllowanceRow): unknown[] {
  const a = r.allowance;
  return [
    a.employeeId,
    a.month,
    r.unitId,
    a.baseAmount,
    a.totalBp,
    a.deductionAmount,
    a.payableAmount,
    a,
    r.locked,
    r.lockScope,
    r.lockedAt,
  ];
}

/** A month lock as a row of LOCK_COLUMNS. */
export function lockRow(l: NonNullable<BulkWrite['lock']>, at: number): unknown[] {
  return [l.month, l.scope, l.employees, l.lockedBy, at];
}

export class JsonBulkWriter implements BulkWriter {
  constructor(private readonly db: Db) {}

  async write(w: BulkWrite): Promise<void> {
    const at = new Date(w.at);
    const stamped = (t: BulkTable, rows: unknown[][]) =>
      upsertStatements(this.db, t.table, { ...t, rows, constants: [['computed_at', at]] });
    const statements: Statement[] = [
      ...(w.deleteDays ?? []).flatMap((g) => this.deleteStatements(g.employeeIds, g.dates)),
      ...stamped(DAY_TABLE, (w.days ?? []).map(dayRow)),
      ...stamped(ALLOWANCE_TABLE, (w.allowances ?? []).map(allowanceRow)),
    ];
    if (w.lock) {
      statements.push(
        ...upsertStatements(this.db, LOCK_TABLE.table, { ...LOCK_TABLE, rows: [lockRow(w.lock, w.at)] }),
      );
    }
    await commit(this.db, statements);
  }

  /** Prisma's transactions are not synchronous: the parts are gathered, then written as one. */
  async writeEach(next: () => BulkWrite | null): Promise<void> {
    const days: StoredDay[] = [];
    const deleteDays: NonNullable<BulkWrite['deleteDays']>[number][] = [];
    const allowances: AllowanceRow[] = [];
    let lock: BulkWrite['lock'];
    let at: number | null = null;
    for (let w = next(); w !== null; w = next()) {
      for (const d of w.days ?? []) days.push(d);
      for (const g of w.deleteDays ?? []) deleteDays.push(g);
      for (const r of w.allowances ?? []) allowances.push(r);
      lock = w.lock ?? lock;
      at = w.at;
    }
    if (at !== null) await this.write({ days, deleteDays, allowances, ...(lock ? { lock } : {}), at });
  }

  private deleteStatements(employeeIds: readonly string[], dates: readonly IsoDate[]): Statement[] {
    if (employeeIds.length === 0 || dates.length === 0) return [];
    const sqlite = this.db.provider === 'sqlite';
    const list = dates.map((_, i) => (sqlite ? '?' : `$${i + 2}`)).join(',');
    const sql = sqlite
      ? `DELETE FROM daily_record WHERE work_date IN (${list}) AND employee_id IN (SELECT value FROM json_each(?))`
      : `DELETE FROM daily_record WHERE work_date IN (${list}) AND employee_id IN (SELECT json_array_elements_text($1::json))`;
    const nips = JSON.stringify(employeeIds);
    return [
      sqlite
        ? this.db.prisma.$executeRawUnsafe(sql, ...dates, nips)
        : this.db.prisma.$executeRawUnsafe(sql, nips, ...dates),
    ];
  }

  close(): void {}
}
