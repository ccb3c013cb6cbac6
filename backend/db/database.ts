/**
 * Opening and migrating the database, SQLite or PostgreSQL, chosen by the URL.
 *
 * - `file:…` → SQLite through @prisma/adapter-better-sqlite3 and the client generated from
 *   prisma/sqlite/ (prisma/generated/sqlite).
 * - `postgres://…` / `postgresql://…` → PostgreSQL through @prisma/adapter-pg and the client
 *   generated from prisma/postgresql/ (prisma/generated/postgresql). A `?schema=name` parameter
 *   selects the PostgreSQL schema.
 * The URL is always given (backend/config.ts makes `file:<DATA_DIR>/attendance.db` when DATABASE_URL
 * is unset); this module reads no environment. A relative SQLite path is taken from the current
 * directory, and its folder is created.
 *
 * Both clients come from the one models file (prisma/models.prisma) and expose the same model
 * delegates; `Database.prisma` is typed as the SQLite client, which stands for both.
 *
 * How DateTime values are stored (checked in test/db/database.test.ts):
 * - SQLite: columns are declared DATETIME (no real type in SQLite) and hold TEXT. The adapter
 *   writes every JS Date, from the ORM and from raw-query parameters alike, as ISO-8601 UTC with
 *   milliseconds and an explicit offset: `2025-01-02T03:04:05.678+00:00` (adapter option
 *   timestampFormat 'iso8601', the default; `toISOString()` with `Z` → `+00:00`). Such strings
 *   sort chronologically as text, so range filters and the (employee_id, captured_at) index work.
 *   Reads parse that text back to a Date. Beware of SQL that writes times itself: the column
 *   DEFAULT CURRENT_TIMESTAMP (used only when an INSERT omits created_at; Prisma always sends
 *   its own now()) and SQLite's datetime('now') give `2025-01-02 03:04:05`, which compares
 *   wrongly against the ISO form: always pass JS Dates as parameters.
 * - PostgreSQL: TIMESTAMP(3) WITHOUT TIME ZONE holding UTC; the adapter sends a Date as
 *   `2025-01-02 03:04:05.678` (UTC fields) and reads it back as UTC. Precision is milliseconds
 *   on both.
 * - A batched raw `INSERT … VALUES (…),(…) ON CONFLICT(id) DO NOTHING RETURNING id` through
 *   `prisma.$queryRawUnsafe(sql, ...params)` with Date, boolean, null and number parameters
 *   round-trips exactly through the normal client on both providers (booleans become 1/0 in
 *   SQLite, as the ORM writes them). Build the VALUES list with `placeholders()`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PrismaClient } from '../../prisma/generated/sqlite/client.ts';

export type Provider = 'sqlite' | 'postgresql';

export type Database = {
  /** Prisma client for the provider (typed as the SQLite client: the delegates are the same). */
  prisma: PrismaClient;
  provider: Provider;
  /** The URL actually used (SQLite: `file:` + absolute path). */
  url: string;
  close(): Promise<void>;
};

export type MigrateResult = {
  provider: Provider;
  url: string;
  /** Names of migrations applied by this call. */
  applied: string[];
  /** True when the database was already up to date and the Prisma CLI was not started. */
  upToDate: boolean;
  ms: number;
};

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHIM = path.join(ROOT, 'prisma', 'engine', 'schema-engine-shim.mjs');
/** How long a SQLite connection waits for another writer before giving up (ms). */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;
const MIGRATE_TIMEOUT_MS = 180_000;

/** Provider of a database URL; throws on anything else. */
export function providerOf(url: string): Provider {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  throw new Error(`Unsupported database URL (expected file:… or postgresql://…): ${redact(url)}`);
}

/** The URL to use, its provider told; SQLite paths made absolute. */
export function resolveDatabaseUrl(url: string): { url: string; provider: Provider } {
  const raw = url.trim();
  const provider = providerOf(raw);
  if (provider === 'postgresql') return { url: raw, provider };
  const file = sqliteFile(raw);
  return { url: file === ':memory:' ? 'file::memory:' : `file:${file}`, provider };
}

/**
 * `VALUES` list for a multi-row statement: `(?,?),(?,?)` for SQLite, `($1,$2),($3,$4)` for
 * PostgreSQL. Parameters go row by row, column by column.
 */
export function placeholders(provider: Provider, rows: number, cols: number): string {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`placeholders: rows and cols must be positive integers (got ${rows}, ${cols})`);
  }
  const out: string[] = new Array(rows);
  let n = 1;
  for (let r = 0; r < rows; r++) {
    const ph: string[] = new Array(cols);
    for (let c = 0; c < cols; c++) ph[c] = provider === 'sqlite' ? '?' : `$${n++}`;
    out[r] = `(${ph.join(',')})`;
  }
  return out.join(',');
}

/** Opens a Prisma client for `url`. */
export async function openDatabase(url: string): Promise<Database> {
  const resolved = resolveDatabaseUrl(url);
  return resolved.provider === 'sqlite' ? openSqlite(resolved.url) : openPostgres(resolved.url);
}

async function openSqlite(url: string): Promise<Database> {
  const file = sqliteFile(url);
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // journal_mode=WAL is stored in the file: set it once, before Prisma opens its connection.
    const { default: BetterSqlite3 } = await import('better-sqlite3');
    const db = new BetterSqlite3(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    try {
      db.pragma('journal_mode = WAL');
    } finally {
      db.close();
    }
  }
  const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
  const { PrismaClient: SqliteClient } = await import('../../prisma/generated/sqlite/client.ts');
  // `timeout` is better-sqlite3's busy timeout (PRAGMA busy_timeout) for Prisma's connection.
  const adapter = new PrismaBetterSqlite3({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS });
  const prisma = new SqliteClient({ adapter });
  await prisma.$connect();
  // Per-connection settings; the adapter keeps one connection for the client's lifetime.
  await prisma.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
  await prisma.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  return { prisma, provider: 'sqlite', url, close: () => prisma.$disconnect() };
}

async function openPostgres(url: string): Promise<Database> {
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const { PrismaClient: PgClient } = await import('../../prisma/generated/postgresql/client.ts');
  const { connectionString, schema } = pgConnection(url);
  // `?schema=name`: the schema the migrations created (search_path), as Prisma's native engine does.
  const adapter = new PrismaPg(
    { connectionString, ...(schema ? { options: `-c search_path=${quoteIdent(schema)}` } : {}) },
    schema ? { schema } : undefined,
  );
  const client = new PgClient({ adapter });
  await client.$connect();
  // Same delegates and methods as the SQLite client (one models file); see the Database type.
  const prisma = client as unknown as PrismaClient;
  return { prisma, provider: 'postgresql', url, close: () => client.$disconnect() };
}

/**
 * Applies pending migrations from prisma/<provider>/migrations with `prisma migrate deploy`
 * (a child process using the schema-engine shim), creating the database when missing.
 * When every migration is already recorded as applied it returns without starting the CLI.
 * Concurrent callers (server and broker starting together) are serialised: a lock file beside
 * the SQLite file, an advisory lock on PostgreSQL.
 */
export async function migrateDatabase(url: string, opts: { force?: boolean } = {}): Promise<MigrateResult> {
  const t0 = performance.now();
  const { url: dbUrl, provider } = resolveDatabaseUrl(url);
  const migrationsDir = path.join(ROOT, 'prisma', provider, 'migrations');
  const wanted = listMigrations(migrationsDir);
  const done = (applied: string[], upToDate: boolean): MigrateResult => ({
    provider,
    url: dbUrl,
    applied,
    upToDate,
    ms: Math.round(performance.now() - t0),
  });

  if (provider === 'sqlite') {
    const file = sqliteFile(dbUrl);
    if (file === ':memory:')
      throw new Error('migrateDatabase: an in-memory SQLite database cannot be migrated by another process');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!opts.force && (await sqliteUpToDate(file, wanted))) return done([], true);
    return withFileLock(`${file}.migrate-lock`, async () => {
      if (!opts.force && (await sqliteUpToDate(file, wanted))) return done([], true);
      return done(await runMigrateDeploy(provider, dbUrl), false);
    });
  }

  const pgState = await pgMigrationState(dbUrl, wanted);
  if (!opts.force && pgState === 'up-to-date') return done([], true);
  if (pgState === 'no-database') {
    // `migrate deploy` creates the database; nothing to lock against yet.
    return done(await runMigrateDeploy(provider, dbUrl), false);
  }
  return withPgAdvisoryLock(dbUrl, async () => {
    if (!opts.force && (await pgMigrationState(dbUrl, wanted)) === 'up-to-date') return done([], true);
    return done(await runMigrateDeploy(provider, dbUrl), false);
  });
}

// ---------------------------------------------------------------------------------------------

function sqliteFile(url: string): string {
  const p = url.replace(/^file:/, '').replace(/\?.*$/, '');
  if (p === ':memory:' || p === '') return ':memory:';
  return path.resolve(process.cwd(), p);
}

function pgConnection(url: string): { connectionString: string; schema: string | undefined } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? undefined;
  u.searchParams.delete('schema');
  return { connectionString: u.toString(), schema };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

function listMigrations(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();
}

type MigrationRow = { migration_name: string; finished_at: unknown; rolled_back_at: unknown };

function allApplied(rows: MigrationRow[], wanted: string[]): boolean {
  const live = rows.filter((r) => r.rolled_back_at === null);
  if (live.some((r) => r.finished_at === null)) return false; // a failed migration: let the CLI report it
  const applied = new Set(live.map((r) => r.migration_name));
  return wanted.every((m) => applied.has(m));
}

async function sqliteUpToDate(file: string, wanted: string[]): Promise<boolean> {
  if (!fs.existsSync(file)) return false;
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const db = new BetterSqlite3(file, { readonly: true, timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    const hasTable = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'")
      .get();
    if (!hasTable) return false;
    const rows = db
      .prepare('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations')
      .all() as MigrationRow[];
    return allApplied(rows, wanted);
  } finally {
    db.close();
  }
}

async function pgMigrationState(
  url: string,
  wanted: string[],
): Promise<'up-to-date' | 'pending' | 'no-database'> {
  const { default: pg } = await import('pg');
  const { connectionString, schema } = pgConnection(url);
  const client = new pg.Client({ connectionString });
  try {
    await client.connect();
  } catch (e) {
    if ((e as { code?: string }).code === '3D000') return 'no-database';
    throw e;
  }
  try {
    const table = `${quoteIdent(schema ?? 'public')}._prisma_migrations`;
    const exists = await client.query('SELECT to_regclass($1) AS t', [table]);
    if (exists.rows[0]?.t === null) return 'pending';
    const res = await client.query<MigrationRow>(
      `SELECT migration_name, finished_at, rolled_back_at FROM ${table}`,
    );
    return allApplied(res.rows, wanted) ? 'up-to-date' : 'pending';
  } finally {
    await client.end().catch(() => {});
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Runs `prisma migrate deploy --config prisma/<provider>/prisma.config.ts`; returns the applied names. */
async function runMigrateDeploy(provider: Provider, url: string): Promise<string[]> {
  const cli = require.resolve('prisma/build/index.js');
  const config = path.join(ROOT, 'prisma', provider, 'prisma.config.ts');
  const args = [cli, 'migrate', 'deploy', '--config', config];
  // Only what the CLI needs, from the caller's config: none of this process's environment leaks in.
  const env = {
    DATABASE_URL: url,
    PRISMA_SCHEMA_ENGINE_BINARY: SHIM,
    // The shim starts with `#!/usr/bin/env node`: let it find the node that runs us.
    PATH: path.dirname(process.execPath),
    // No network: no update check, no telemetry ping.
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), MIGRATE_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            `prisma migrate deploy failed (${signal ?? `exit ${code}`}) for ${redact(url)}:\n${out.trim()}`,
          ),
        );
    });
  });
  // "The following migration(s) have been applied:" then a tree of `└─ <name>/` lines.
  return [...output.matchAll(/└─ (\S+)\//g)].map((m) => m[1] ?? '').filter((n) => n !== 'migrations');
}

async function withFileLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + MIGRATE_TIMEOUT_MS;
  for (;;) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (lockIsStale(lockPath)) {
        fs.rmSync(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`migrateDatabase: timed out waiting for ${lockPath}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}

function lockIsStale(lockPath: string): boolean {
  try {
    const pid = Number(fs.readFileSync(lockPath, 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return Date.now() - fs.statSync(lockPath).mtimeMs > 5_000;
    process.kill(pid, 0);
    return false;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ESRCH' || code === 'ENOENT';
  }
}

async function withPgAdvisoryLock<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: pgConnection(url).connectionString });
  await client.connect();
  // An arbitrary constant key, "absensi migrate".
  const key = 7_242_120_515;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}
