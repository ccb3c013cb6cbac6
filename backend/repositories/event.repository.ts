import type { EventRow, EventStore } from '../ingest/ports.ts';
import { type Db, placeholders } from './db.ts';
import type { SqliteEventWriter } from './sqlite-event-writer.ts';

/** attendance_event columns in the order the raw insert binds them. */
export const EVENT_COLUMNS = [
  'id',
  'terminal_id',
  'seq',
  'employee_id',
  'method',
  'captured_at',
  'received_at',
  'score',
  'distance',
  'clock_synced',
  'clock_offset_ms',
  'skew_ms',
  'liveness',
  'unknown_employee',
  'clock_skew',
] as const;

/** Rows per statement: 15 columns × 1,000 stays under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 1000;

/** Below this many employees a scope becomes an `IN` list in the query. */
const SCOPE_IN_LIST_MAX = 900;

/**
 * The ingest hot path. Prisma's createMany has no skipDuplicates on SQLite
 * and costs ~0.2 ms of client CPU per row (PRISMA.md); one multi-row
 * `INSERT … ON CONFLICT (id) DO NOTHING RETURNING id` per chunk, inside one
 * transaction, gives idempotent inserts and tells which ids were new.
 */
export class EventRepository implements EventStore {
  /** `fast`: the SQLite writer for the hot path; without it (PostgreSQL) the multi-row raw insert below. */
  constructor(
    private readonly db: Db,
    private readonly fast?: SqliteEventWriter,
  ) {}

  async insertEvents(rows: EventRow[]): Promise<Set<string>> {
    if (this.fast) return this.fast.insertEvents(rows);
    const inserted = new Set<string>();
    const chunks: EventRow[][] = [];
    for (let i = 0; i < rows.length; i += CHUNK) chunks.push(rows.slice(i, i + CHUNK));
    const statements = chunks.map((chunk) => {
      const sql = `INSERT INTO attendance_event (${EVENT_COLUMNS.join(',')}) VALUES ${placeholders(this.db.provider, chunk.length, EVENT_COLUMNS.length)} ON CONFLICT (id) DO NOTHING RETURNING id`;
      const params = chunk.flatMap((r) => [
        r.id,
        r.terminalId,
        r.seq,
        r.employeeId,
        r.method,
        r.capturedAt,
        r.receivedAt,
        r.score,
        r.distance,
        r.clockSynced,
        r.clockOffsetMs,
        r.skewMs,
        r.liveness,
        r.unknownEmployee,
        r.clockSkew,
      ]);
      return this.db.prisma.$queryRawUnsafe<Array<{ id: string }>>(sql, ...params);
    });
    const results =
      statements.length === 1 ? [await statements[0]] : await this.db.prisma.$transaction(statements);
    for (const res of results) for (const r of res ?? []) inserted.add(r.id);
    return inserted;
  }

  async knownEmployees(nips: string[]): Promise<Set<string>> {
    if (this.fast) return this.fast.knownEmployees(nips);
    const found = await this.db.prisma.employee.findMany({
      where: { nip: { in: nips } },
      select: { nip: true },
    });
    return new Set(found.map((e) => e.nip));
  }

  /**
   * Punches in capture order. `employeeIds` limits them to a caller's scope: as an `IN` list when
   * short, else by paging and filtering (SQLite refuses `IN` lists much over 999 values), so a scoped
   * caller still gets up to `take` rows.
   */
  async list(filter: {
    employeeId?: string | undefined;
    terminalId?: string | undefined;
    from?: Date | undefined;
    to?: Date | undefined;
    employeeIds?: readonly string[] | undefined;
    unknownEmployee?: boolean | undefined;
    clockSkew?: boolean | undefined;
    take: number;
  }) {
    const where = {
      ...(filter.employeeId ? { employeeId: filter.employeeId } : {}),
      ...(filter.terminalId ? { terminalId: filter.terminalId } : {}),
      ...(filter.unknownEmployee !== undefined ? { unknownEmployee: filter.unknownEmployee } : {}),
      ...(filter.clockSkew !== undefined ? { clockSkew: filter.clockSkew } : {}),
      capturedAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) },
    };
    const orderBy = [{ capturedAt: 'asc' as const }, { id: 'asc' as const }];
    const scope = filter.employeeIds;
    if (!scope || filter.employeeId) {
      return this.db.prisma.attendanceEvent.findMany({ where, orderBy, take: filter.take });
    }
    if (scope.length <= SCOPE_IN_LIST_MAX) {
      return this.db.prisma.attendanceEvent.findMany({
        where: { ...where, employeeId: { in: [...scope] } },
        orderBy,
        take: filter.take,
      });
    }
    const allowed = new Set(scope);
    const out: Awaited<ReturnType<typeof this.db.prisma.attendanceEvent.findMany>> = [];
    let cursor: { id: string } | undefined;
    for (;;) {
      const page = await this.db.prisma.attendanceEvent.findMany({
        where,
        orderBy,
        take: filter.take,
        ...(cursor ? { cursor, skip: 1 } : {}),
      });
      for (const r of page) {
        if (allowed.has(r.employeeId)) out.push(r);
        if (out.length === filter.take) return out;
      }
      const last = page[page.length - 1];
      if (page.length < filter.take || !last) return out;
      cursor = { id: last.id };
    }
  }
}
