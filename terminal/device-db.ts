/**
 * The kiosk's own SQLite files (outbox, gallery copy). They hold personal data (punches name people
 * and times; templates are biometric data, UU 27/2022), so the file and its WAL/SHM companions are
 * readable by the kiosk's user only (0600, created so before SQLite opens it; a directory made here
 * is 0700). WAL with synchronous FULL: a commit survives a power cut. Versioned like any on-device
 * state: one migration per schema change, the count kept in user_version.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type DeviceMigration = (db: Database.Database) => void;

export function openDeviceDb(file: string, migrations: readonly DeviceMigration[]): Database.Database {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // SQLite gives -wal and -shm the database file's mode; make sure anyway.
  for (const f of [`${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      migrations[v]?.(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}

/** Rows to copy out of a damaged file: `columns` of `table` matching `where`. */
export type Salvage = { table: string; columns: readonly string[]; where: string };
export type Recovery = { setAside: string; salvaged: number; reason: string };

function isDamage(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB)/.test(code);
}

/**
 * `openDeviceDb`, but a damaged file (not a database, or failing SQLite's quick check) does not stop
 * the kiosk: the file and its WAL are set aside under a `.damaged-<time>` name for a technician, a
 * fresh file is made, and what rows of `salvage` can still be read are copied into it (#12).
 */
export function openDeviceDbSalvaging(
  file: string,
  migrations: readonly DeviceMigration[],
  salvage: Salvage,
): { db: Database.Database; recovery?: Recovery } {
  let reason: string;
  try {
    const db = openDeviceDb(file, migrations);
    const check = String(db.pragma('quick_check', { simple: true }));
    if (check === 'ok') return { db };
    db.close();
    reason = `quick_check: ${check.slice(0, 200)}`;
  } catch (err) {
    if (!isDamage(err)) throw err;
    reason = (err as Error).message;
  }
  const setAside = `${file}.damaged-${Date.now()}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(file + suffix)) renameSync(file + suffix, setAside + suffix);
  }
  const rows = readWhatCan(setAside, salvage);
  const db = openDeviceDb(file, migrations);
  const cols = salvage.columns.join(', ');
  const insert = db.prepare(
    `INSERT OR IGNORE INTO ${salvage.table} (${cols}) VALUES (${salvage.columns.map(() => '?').join(', ')})`,
  );
  const salvaged = db.transaction(() => rows.reduce((n, r) => n + insert.run(...r).changes, 0))();
  return { db, recovery: { setAside, salvaged, reason } };
}

/**
 * Rows readable from a damaged file, in rowid order: read in pages while that works, then row by row
 * up to the highest rowid the file still names (a lost page costs only its own rows).
 */
function readWhatCan(file: string, s: Salvage): unknown[][] {
  const out: unknown[][] = [];
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true });
  } catch {
    return out;
  }
  try {
    const cols = s.columns.join(', ');
    const page = db.prepare(
      `SELECT rowid AS r, ${cols} FROM ${s.table} WHERE rowid > ? AND (${s.where}) ORDER BY rowid LIMIT 200`,
    );
    const one = db.prepare(`SELECT rowid AS r, ${cols} FROM ${s.table} WHERE rowid = ? AND (${s.where})`);
    const take = (row: Record<string, unknown>) => out.push(s.columns.map((c) => row[c]));
    let after = 0;
    try {
      for (let rows = page.all(after) as Record<string, unknown>[]; rows.length > 0; ) {
        rows.forEach(take);
        after = Number(rows[rows.length - 1]?.r);
        rows = page.all(after) as Record<string, unknown>[];
      }
      return out;
    } catch {
      // A damaged page: go on row by row.
    }
    const last = highestRowid(db, s.table);
    for (let r = after + 1; r <= last; r++) {
      try {
        const row = one.get(r) as Record<string, unknown> | undefined;
        if (row) take(row);
      } catch {
        // This row's page is lost.
      }
    }
  } catch {
    // Not even the schema can be read: nothing to save.
  } finally {
    db.close();
  }
  return out;
}

/** The highest rowid the file names: from sqlite_sequence (AUTOINCREMENT) or the table's last page. */
function highestRowid(db: Database.Database, table: string): number {
  for (const sql of [
    `SELECT seq AS m FROM sqlite_sequence WHERE name = '${table}'`,
    `SELECT max(rowid) AS m FROM ${table}`,
  ]) {
    try {
      const m = Number((db.prepare(sql).get() as { m?: unknown } | undefined)?.m);
      if (Number.isFinite(m) && m > 0) return Math.min(m, 10_000_000);
    } catch {
      // try the next source
    }
  }
  return 0;
}
