/**
 * Whether a SQLite database has every migration of prisma/sqlite/migrations applied and no
 * migration running, read without holding the file open. For a process that shares the backend's
 * SQLite file without migrating it (`npm run broker`): SQLite migrations need the file to
 * themselves, so such a process opens its long-lived connection only once this holds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MIGRATIONS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'prisma',
  'sqlite',
  'migrations',
);

type MigrationRow = { migration_name: string; finished_at: unknown; rolled_back_at: unknown };

/** A migration lock (backend/db/database.ts) held by a live process. */
function migrationRunning(lockPath: string): boolean {
  try {
    const pid = Number(fs.readFileSync(lockPath, 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return true; // being written
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function sqliteMigrated(file: string): Promise<boolean> {
  if (!fs.existsSync(file) || migrationRunning(`${file}.migrate-lock`)) return false;
  const wanted = fs
    .readdirSync(MIGRATIONS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const db = new BetterSqlite3(file, { readonly: true, timeout: 1000 });
  try {
    const table = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'")
      .get();
    if (!table) return false;
    const rows = db
      .prepare('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations')
      .all() as MigrationRow[];
    const applied = new Set(
      rows.filter((r) => r.rolled_back_at === null && r.finished_at !== null).map((r) => r.migration_name),
    );
    return wanted.every((m) => applied.has(m));
  } finally {
    db.close();
  }
}
