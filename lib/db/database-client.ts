/**
 * A Prisma client on a database URL, SQLite (`file:…`) or PostgreSQL (`postgres(ql)://…`), for
 * every process that reads the shared database: the backend and `npm run broker`. Opening only:
 * migrating is the backend's job (backend/db/database.ts), so a process using this alone expects a
 * database the backend has migrated.
 *
 * The settings are the backend's (backend/db/database.ts, whose open path this mirrors until it
 * delegates here): SQLite in WAL mode with a busy timeout, synchronous NORMAL and foreign keys on;
 * PostgreSQL with `?schema=name` as its search_path.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '../../prisma/generated/sqlite/client.ts';

export type Provider = 'sqlite' | 'postgresql';

export type DatabaseClient = {
  /** Prisma client for the provider (typed as the SQLite client: the delegates are the same). */
  prisma: PrismaClient;
  provider: Provider;
  /** The URL actually used (SQLite: `file:` + absolute path). */
  url: string;
  close(): Promise<void>;
};

/** What repositories get: the client and the provider (for the few statements that differ). */
export type Db = Pick<DatabaseClient, 'prisma' | 'provider'>;

/** How long a SQLite connection waits for another writer before giving up (ms). */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/** Provider of a database URL; throws on anything else (a configuration error, found at start). */
export function providerOfUrl(url: string): Provider {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  throw new Error(
    `Unsupported database URL (expected file:… or postgresql://…): ${url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')}`,
  );
}

export async function openDatabaseClient(url: string): Promise<DatabaseClient> {
  return providerOfUrl(url) === 'sqlite' ? openSqlite(url) : openPostgres(url);
}

/** The absolute path of a `file:` URL (relative to the current directory), or ':memory:'. */
export function sqliteFile(url: string): string {
  const p = url.replace(/^file:/, '').replace(/\?.*$/, '');
  if (p === ':memory:' || p === '') return ':memory:';
  return path.resolve(process.cwd(), p);
}

async function openSqlite(url: string): Promise<DatabaseClient> {
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
  const adapter = new PrismaBetterSqlite3({ url: file, timeout: SQLITE_BUSY_TIMEOUT_MS });
  const prisma = new SqliteClient({ adapter });
  await prisma.$connect();
  // Per-connection settings; the adapter keeps one connection for the client's lifetime.
  await prisma.$executeRawUnsafe('PRAGMA synchronous = NORMAL');
  await prisma.$executeRawUnsafe('PRAGMA foreign_keys = ON');
  const resolved = file === ':memory:' ? 'file::memory:' : `file:${file}`;
  return { prisma, provider: 'sqlite', url: resolved, close: () => prisma.$disconnect() };
}

async function openPostgres(url: string): Promise<DatabaseClient> {
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const { PrismaClient: PgClient } = await import('../../prisma/generated/postgresql/client.ts');
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? undefined;
  u.searchParams.delete('schema');
  // `?schema=name`: the schema the migrations created (search_path), as Prisma's native engine does.
  const adapter = new PrismaPg(
    {
      connectionString: u.toString(),
      ...(schema ? { options: `-c search_path="${schema.replaceAll('"', '""')}"` } : {}),
    },
    schema ? { schema } : undefined,
  );
  const client = new PgClient({ adapter });
  await client.$connect();
  // Same delegates and methods as the SQLite client (one models file).
  const prisma = client as unknown as PrismaClient;
  return { prisma, provider: 'postgresql', url, close: () => client.$disconnect() };
}
