/**
 * The kiosk's own SQLite files (outbox, gallery copy). They hold personal data (punches name people
 * and times; templates are biometric data, UU 27/2022), so the file and its WAL/SHM companions are
 * readable by the kiosk's user only (0600, created so before SQLite opens it; a directory made here
 * is 0700). WAL with synchronous FULL: a commit survives a power cut. Versioned like any on-device
 * state: one migration per schema change, the count kept in user_version.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
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
