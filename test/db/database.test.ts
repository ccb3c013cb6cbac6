/**
 * Database layer: migrations through the Prisma CLI + schema-engine shim, the batched raw insert of
 * the ingest hot path, DateTime round trips, and that the committed migrations match models.prisma.
 *
 * SQLite always runs. PostgreSQL runs when PG_TEST_URL points at a server (any database on it, e.g.
 * the URL printed by `scripts/pg-start.sh`, or postgresql://postgres@127.0.0.1:5433/postgres); each
 * run makes its own randomly named database there and drops it afterwards. Without PG_TEST_URL the
 * PostgreSQL tests are skipped, counted in the skip notice at the end of the run.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Database,
  type MigrateResult,
  migrateDatabase,
  openDatabase,
  type Provider,
  placeholders,
  resolveDatabaseUrl,
} from '../../backend/db/database.ts';
import type { EventRow } from '../../backend/ingest/ports.ts';
import { EVENT_COLUMNS, EventRepository } from '../../backend/repositories/event.repository.ts';
import { childEnv } from '../support/proc.ts';
import { PG_MISSING, skipNotice } from '../support/skip-notice.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PRISMA_CLI = createRequire(import.meta.url).resolve('prisma/build/index.js');
const PG_TEST_URL = process.env.PG_TEST_URL;

const COLUMNS = EVENT_COLUMNS;
type Ev = EventRow;

function ev(id: string, seq: number, capturedAt: Date, over: Partial<Ev> = {}): Ev {
  const receivedAt = new Date(capturedAt.getTime() + 1234);
  return {
    id,
    terminalId: 'T-01',
    seq,
    employeeId: '198001012005011001',
    method: 'face',
    capturedAt,
    receivedAt,
    score: 0.8125,
    distance: null,
    clockSynced: true,
    clockOffsetMs: -17,
    skewMs: 1234,
    liveness: null,
    unknownEmployee: false,
    clockSkew: false,
    ...over,
  };
}

function params(e: Ev): unknown[] {
  return [
    e.id,
    e.terminalId,
    e.seq,
    e.employeeId,
    e.method,
    e.capturedAt,
    e.receivedAt,
    e.score,
    e.distance,
    e.clockSynced,
    e.clockOffsetMs,
    e.skewMs,
    e.liveness,
    e.unknownEmployee,
    e.clockSkew,
  ];
}

async function insertBatch(db: Database, rows: Ev[]): Promise<string[]> {
  const sql = `INSERT INTO attendance_event (${COLUMNS.join(',')}) VALUES ${placeholders(db.provider, rows.length, COLUMNS.length)} ON CONFLICT(id) DO NOTHING RETURNING id`;
  const res = await db.prisma.$queryRawUnsafe<Array<{ id: string }>>(sql, ...rows.flatMap(params));
  return res.map((r) => r.id).sort();
}

/** `prisma migrate diff` from the committed migrations to the schema; returns exit code and output. */
function migrationsVsSchema(provider: Provider, databaseUrl: string) {
  const r = spawnSync(
    process.execPath,
    [
      PRISMA_CLI,
      'migrate',
      'diff',
      '--from-migrations',
      `prisma/${provider}/migrations`,
      '--to-schema',
      `prisma/${provider}`,
      '--script',
      '--exit-code',
      '--config',
      `prisma/${provider}/prisma.config.ts`,
    ],
    {
      cwd: ROOT,
      env: childEnv({ DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: '1', NO_COLOR: '1' }),
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** The whole scenario, run once per provider. */
function databaseSuite(provider: Provider, getUrl: () => string) {
  let db: Database;
  const t0 = new Date('2025-03-04T00:59:58.123Z'); // 07:59:58 WIB
  const t1 = new Date('2025-03-04T09:30:00.007Z');

  let first: MigrateResult;
  let quick: MigrateResult;
  let viaCli: MigrateResult;

  beforeAll(async () => {
    first = await migrateDatabase(getUrl());
    console.info(`[test/db] ${provider}: migrateDatabase on a fresh database took ${first.ms} ms`);
    quick = await migrateDatabase(getUrl());
    // Before opening: on SQLite, `migrate deploy` needs the file to itself (see the SQLite tests).
    viaCli = await migrateDatabase(getUrl(), { force: true });
    console.info(
      `[test/db] ${provider}: migrateDatabase on an up-to-date database: ${quick.ms} ms, ${viaCli.ms} ms with the CLI`,
    );
    db = await openDatabase(getUrl());
  });

  afterAll(async () => {
    await db?.close();
  });

  it('applies the committed migrations to a fresh database', () => {
    expect(first.upToDate).toBe(false);
    expect(first.applied.length).toBeGreaterThan(0);
    expect(first.applied.every((m) => /^\d{14}_\w+$/.test(m))).toBe(true);
    expect(db.provider).toBe(provider);
  });

  it('is a no-op on an up-to-date database, with and without starting the CLI', () => {
    expect(quick).toMatchObject({ upToDate: true, applied: [] });
    expect(viaCli).toMatchObject({ upToDate: false, applied: [] });
  });

  it('creates a unit, site, employee and terminal through the client', async () => {
    const { prisma } = db;
    await prisma.unit.create({ data: { id: 'U-1', name: 'Dinas Komunikasi dan Informatika' } });
    await prisma.site.create({ data: { id: 'S-1', name: 'Kantor Bupati' } });
    const emp = await prisma.employee.create({
      data: { nip: '198001012005011001', name: 'Siti Aminah', unitId: 'U-1' },
    });
    const term = await prisma.terminal.create({
      data: { id: 'T-01', name: 'Lobi', siteId: 'S-1', secretHash: 'ab'.repeat(32), lastStatusAt: t0 },
    });
    expect(emp).toMatchObject({ kind: 'PNS', active: true });
    expect(emp.createdAt).toBeInstanceOf(Date);
    expect(term.lastStatusAt?.toISOString()).toBe(t0.toISOString());
    const site = await prisma.site.findUniqueOrThrow({ where: { id: 'S-1' }, include: { terminals: true } });
    expect(site.timeZone).toBe('Asia/Jakarta');
    expect(site.terminals.map((t) => t.id)).toEqual(['T-01']);
    // A foreign key is enforced.
    await expect(prisma.employee.create({ data: { nip: 'x', name: 'x', unitId: 'nope' } })).rejects.toThrow();
  });

  it('batched raw insert skips duplicate ids (in the batch and already stored) and round-trips every type', async () => {
    const a = ev('ev-a', 1, t0);
    const b = ev('ev-b', 2, t1, {
      score: null,
      distance: 0.3125,
      clockSynced: false,
      clockOffsetMs: null,
      liveness: 'passed',
      unknownEmployee: true,
      clockSkew: true,
      skewMs: -5000,
    });
    const aAgain = ev('ev-a', 99, t1, { method: 'pin' }); // same id in the same statement
    expect(await insertBatch(db, [a, b, aAgain])).toEqual(['ev-a', 'ev-b']);

    const c = ev('ev-c', 3, new Date('2024-12-31T23:59:59.999Z'));
    expect(await insertBatch(db, [b, c, a])).toEqual(['ev-c']); // a, b already stored
    expect(await insertBatch(db, [a])).toEqual([]);

    const rows = await db.prisma.attendanceEvent.findMany({ orderBy: { id: 'asc' } });
    expect(rows).toEqual([a, b, c]); // exact: Dates, booleans, nulls, floats, negative ints
    expect(rows[0]?.seq).toBe(1); // the first row of the batch won, not the duplicate

    // Range filters on DateTime through the client see the raw-inserted values.
    const inRange = await db.prisma.attendanceEvent.findMany({
      where: { capturedAt: { gte: t0, lt: new Date(t1.getTime() + 1) } },
      orderBy: { capturedAt: 'asc' },
      select: { id: true },
    });
    expect(inRange.map((r) => r.id)).toEqual(['ev-a', 'ev-b']);
    const exact = await db.prisma.attendanceEvent.count({ where: { capturedAt: t0 } });
    expect(exact).toBe(1);
  });

  it('a large batch (1,000 rows × 15 parameters) in one statement', async () => {
    const base = Date.UTC(2025, 0, 6, 0, 0, 0);
    const rows = Array.from({ length: 1000 }, (_, i) =>
      ev(`bulk-${String(i).padStart(4, '0')}`, i, new Date(base + i * 61_001)),
    );
    const inserted = await insertBatch(db, [...rows, ...rows.slice(0, 10)]);
    expect(inserted).toHaveLength(1000);
    const back = await db.prisma.attendanceEvent.findMany({
      where: { id: { startsWith: 'bulk-' } },
      orderBy: { id: 'asc' },
    });
    expect(back).toEqual(rows);
  });

  it('lists a scoped caller’s punches up to `take`, whether the scope is an IN list or too long for one', async () => {
    const events = new EventRepository(db);
    const base = Date.UTC(2025, 1, 3, 0, 0, 0);
    // 3,000 punches of 3,000 employees, in capture order; the scope's own are every third one.
    const nipOf = (i: number) => `scope-${String(i).padStart(4, '0')}`;
    const rows = Array.from({ length: 3000 }, (_, i) =>
      ev(`scoped-${String(i).padStart(4, '0')}`, i, new Date(base + i * 1000), { employeeId: nipOf(i) }),
    );
    for (let i = 0; i < rows.length; i += 1000) await insertBatch(db, rows.slice(i, i + 1000));
    const range = { from: new Date(base), to: new Date(base + 3000 * 1000) };
    const expected = (scope: Set<string>, take: number) =>
      rows
        .filter((r) => scope.has(r.employeeId))
        .slice(0, take)
        .map((r) => r.id);

    const small = [nipOf(2500), nipOf(10), nipOf(1999)];
    const got = await events.list({ ...range, employeeIds: small, take: 2 });
    expect(got.map((r) => r.id)).toEqual(expected(new Set(small), 2));

    // 1,000 employees (beyond an IN list), and `take` smaller than the rows before the first of theirs.
    const large = Array.from({ length: 1000 }, (_, k) => nipOf(3 * k + 2));
    const page = await events.list({ ...range, employeeIds: large, take: 400 });
    expect(page.map((r) => r.id)).toEqual(expected(new Set(large), 400));
    expect(page).toHaveLength(400);
    const all = await events.list({ ...range, employeeIds: large, take: 5000 });
    expect(all).toHaveLength(1000);
  });
}

describe('placeholders', () => {
  it('builds VALUES lists for both providers', () => {
    expect(placeholders('sqlite', 2, 3)).toBe('(?,?,?),(?,?,?)');
    expect(placeholders('postgresql', 2, 3)).toBe('($1,$2,$3),($4,$5,$6)');
    expect(placeholders('postgresql', 1, 1)).toBe('($1)');
    expect(() => placeholders('sqlite', 0, 3)).toThrow(RangeError);
  });

  it('resolves URLs: SQLite paths made absolute (the default, in DATA_DIR, is the config’s: test/unit/config.test.ts)', () => {
    expect(resolveDatabaseUrl('file:rel/x.db').url).toBe(`file:${path.resolve('rel/x.db')}`);
    expect(resolveDatabaseUrl('postgresql://u@h:5433/d')).toEqual({
      provider: 'postgresql',
      url: 'postgresql://u@h:5433/d',
    });
    expect(() => resolveDatabaseUrl('mysql://x')).toThrow(/Unsupported/);
  });
});

describe('SQLite', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'absensi-db-test-'));
  const file = path.join(dir, 'nested', 'attendance.db');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  databaseSuite('sqlite', () => `file:${file}`);

  it('stores DateTime as ISO-8601 UTC text with milliseconds, booleans as 0/1, in WAL mode', () => {
    const raw = new BetterSqlite3(file, { readonly: true });
    try {
      const row = raw
        .prepare(
          "SELECT captured_at, typeof(captured_at) AS t, clock_synced, unknown_employee FROM attendance_event WHERE id = 'ev-a'",
        )
        .get();
      expect(row).toEqual({
        captured_at: '2025-03-04T00:59:58.123+00:00',
        t: 'text',
        clock_synced: 1,
        unknown_employee: 0,
      });
      const unit = raw.prepare("SELECT created_at FROM unit WHERE id = 'U-1'").get() as {
        created_at: string;
      };
      expect(unit.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });

  it('concurrent migrateDatabase calls on a fresh file both succeed', async () => {
    const url = `file:${path.join(dir, 'concurrent.db')}`;
    const [x, y] = await Promise.all([migrateDatabase(url), migrateDatabase(url)]);
    expect([x.applied.length > 0, y.applied.length > 0].filter(Boolean)).toHaveLength(1);
    expect([x, y].some((r) => r.upToDate)).toBe(true);
  });

  it('migrate deploy refuses, with a clear message, while another connection has the file open', async () => {
    const open = await openDatabase(`file:${file}`);
    try {
      await expect(migrateDatabase(`file:${file}`, { force: true })).rejects.toThrow(
        /SQLITE_BUSY.*exclusive access/,
      );
    } finally {
      await open.close();
    }
  });

  it('committed migrations are up to date with models.prisma', () => {
    const { status, out } = migrationsVsSchema('sqlite', `file:${path.join(dir, 'diff.db')}`);
    expect(out).toContain('-- This is an empty migration.');
    expect(status, out).toBe(0);
  });
});

describe('PostgreSQL', skipNotice(PG_MISSING), () => {
  const dbName = `absensi_test_${randomBytes(6).toString('hex')}`;
  const url = (() => {
    const u = new URL(PG_TEST_URL ?? 'postgresql://localhost/postgres');
    u.pathname = `/${dbName}`;
    return u.toString();
  })();
  const admin = () => new pg.Client({ connectionString: PG_TEST_URL });
  const listDatabases = async (): Promise<string[]> => {
    const c = admin();
    await c.connect();
    try {
      return (await c.query<{ datname: string }>('SELECT datname FROM pg_database')).rows.map(
        (r) => r.datname,
      );
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    const c = admin();
    await c.connect();
    try {
      await c.query(`CREATE DATABASE "${dbName}"`);
    } finally {
      await c.end();
    }
  });

  afterAll(async () => {
    const c = admin();
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    } finally {
      await c.end();
    }
  });

  databaseSuite('postgresql', () => url);

  it('stores DateTime as UTC in TIMESTAMP(3)', async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const r = await c.query("SELECT captured_at::text AS t FROM attendance_event WHERE id = 'ev-a'");
      expect(r.rows[0]?.t).toBe('2025-03-04 00:59:58.123');
    } finally {
      await c.end();
    }
  });

  it('committed migrations are up to date with models.prisma (shadow database dropped afterwards)', async () => {
    const { status, out } = migrationsVsSchema('postgresql', url);
    expect(out).toContain('-- This is an empty migration.');
    expect(status, out).toBe(0);
    expect((await listDatabases()).filter((d) => d.startsWith('prisma_shadow_'))).toEqual([]);
  });
});
