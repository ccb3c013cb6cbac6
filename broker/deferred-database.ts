import {
  type DatabaseClient,
  type Db,
  openDatabaseClient,
  providerOfUrl,
  sqliteFile,
} from '../lib/db/database-client.ts';
import { sqliteMigrated } from '../lib/db/migration-state.ts';
import type { Logger } from '../lib/logger.ts';

/**
 * The backend's database as the broker alone uses it. The backend migrates it, and a SQLite
 * migration needs the file to itself: a broker started first (a fresh install, an upgrade) must
 * not hold the file open. So on SQLite the client opens only once every migration is applied;
 * until then `prisma` throws, which refuses a terminal's CONNECT as "server unavailable" (it
 * retries) and keeps refused publishes buffered (RejectionRepository retries).
 */
export class DeferredDatabase implements Db {
  private client: DatabaseClient | undefined;
  private opening: Promise<void> | undefined;
  private stopped = false;
  readonly provider: Db['provider'];

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly everyMs = 1000,
  ) {
    this.provider = providerOfUrl(url);
  }

  get prisma(): Db['prisma'] {
    if (!this.client) throw new Error('the database is not migrated yet (the backend migrates it)');
    return this.client.prisma;
  }

  /**
   * Opens the client now when it can (PostgreSQL; SQLite already migrated), so that a failure fails
   * the start; otherwise opens it in the background once migrated, `onError` told of a failure.
   */
  async begin(onError: (err: unknown) => void): Promise<void> {
    if (this.provider === 'sqlite' && !(await sqliteMigrated(sqliteFile(this.url)))) {
      this.log.warn({ url: this.url }, 'waiting for the backend to migrate the database');
      this.openWhenMigrated().catch(onError);
      return;
    }
    await this.openNow();
  }

  /**
   * Opens the client now if the backend has migrated the database since the last look, so that a
   * terminal connecting just after the backend's start is not refused for the poll's interval.
   */
  async ensureOpen(): Promise<void> {
    if (this.client || this.stopped) return;
    if (this.provider === 'sqlite' && !(await sqliteMigrated(sqliteFile(this.url)))) return;
    await this.openNow();
  }

  private async openWhenMigrated(): Promise<void> {
    const file = sqliteFile(this.url);
    while (!this.stopped && !this.client && !(await sqliteMigrated(file))) {
      await new Promise((r) => setTimeout(r, this.everyMs));
    }
    if (this.stopped) return;
    await this.openNow();
    this.log.info('database migrated: terminals can connect');
  }

  /** Opens the client once, however many callers ask at the same time. */
  private openNow(): Promise<void> {
    this.opening ??= (async () => {
      const client = await openDatabaseClient(this.url);
      if (this.stopped) await client.close();
      else this.client = client;
    })().catch((err: unknown) => {
      this.opening = undefined; // the next caller tries again
      throw err;
    });
    return this.opening;
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.client?.close();
  }
}
