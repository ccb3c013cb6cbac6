import Database from 'better-sqlite3';

/**
 * The one better-sqlite3 connection of the SQLite hot path, beside Prisma's: the ingest's event
 * insert, the rules' bulk writes and the recompute's reads all go through it, synchronously.
 *
 * One connection rather than one per writer: in WAL mode a connection drops its whole page cache
 * whenever another connection has committed since its last transaction, so writers taking turns on
 * connections of their own re-read every index page they touch at each transaction (the event
 * index spans every employee, a day's records span them too). On one connection the pages stay
 * cached, and the cache is sized for a region's working set (SQLite's default is 2 MB).
 *
 * Its commits checkpoint the WAL after 10,000 pages instead of SQLite's 1,000: a burst rewrites the
 * same index pages in every transaction, and a checkpoint copies (and syncs) each page once
 * however often it was rewritten since the last one.
 */
export class SqliteConnection {
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private busyMs: number;

  constructor(file: string, o: { cacheMb?: number } = {}) {
    this.busyMs = 100;
    this.db = new Database(file, { timeout: this.busyMs });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma(`cache_size = ${-1024 * (o.cacheMb ?? 64)}`);
    this.db.pragma('wal_autocheckpoint = 10000');
  }

  /** A prepared statement, prepared once per SQL text. */
  prepare(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /**
   * How long the next statements wait for another connection's write lock. The wait is
   * synchronous (the whole process stands still), so callers that can retry asynchronously keep
   * it short (the ingest), and those that cannot set it longer (the bulk writer).
   */
  busyTimeout(ms: number): void {
    if (ms === this.busyMs) return;
    this.prepare(`PRAGMA busy_timeout = ${Math.trunc(ms)}`).get();
    this.busyMs = ms;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** The text Prisma's SQLite adapter writes for a DateTime, so both read back alike. */
export const sqliteTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

/** JSON text of a list, for `IN (SELECT value FROM json_each(?))`. */
export const jsonList = (values: readonly unknown[]) => JSON.stringify(values);
