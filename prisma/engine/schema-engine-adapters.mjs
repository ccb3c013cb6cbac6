// Driver adapters for the wasm schema engine (schema-engine-shim.mjs): better-sqlite3 and pg, with
// the shim's pitfalls 2-5, 8 and 9 worked around.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  adminQuery,
  debug,
  log,
  pgConfig,
  pgSchemaOf,
  quoteIdent,
  sqlitePath,
  UserFacingError,
  withDatabase,
} from './schema-engine-common.mjs';

/** Pitfall 2: better-sqlite3 prepares one statement at a time. */
function isMultiStatementError(e) {
  return e instanceof RangeError && /more than one statement/.test(e.message);
}
/**
 * The adapter reports SQLITE_BUSY as `SocketTimeout`, a kind the wasm engine cannot deserialise
 * ("unknown variant `SocketTimeout`"): report it as a plain SQLite error with a useful message.
 * Typical cause: migrations lock the file (PRAGMA locking_mode=EXCLUSIVE, as the native engine
 * does), which cannot succeed while another process has the WAL-mode database open.
 */
function mapBusy(e) {
  if (e?.name === 'DriverAdapterError' && e.cause?.kind === 'SocketTimeout') {
    e.cause = {
      kind: 'sqlite',
      extendedCode: 1, // 5 (SQLITE_BUSY) would be shown as P1008 "Socket timeout" without our message
      message:
        'SQLITE_BUSY: database is locked. Migrations need exclusive access to the SQLite file: stop the other processes using it (server, broker) and retry.',
    };
  }
  return e;
}
function wrapSqliteQueryable(q) {
  // Pitfall 2: a multi-statement script (no parameters) is run with exec() and gives `empty`.
  const orScript = (run, name, empty) => async (query) => {
    try {
      return await run(query);
    } catch (e) {
      if (!isMultiStatementError(e) || query.args.length > 0) throw mapBusy(e);
      debug(`multi-statement SQL in ${name}: running it with exec()`);
      q.client.exec(query.sql);
      return empty();
    }
  };
  q.queryRaw = orScript(q.queryRaw.bind(q), 'queryRaw', () => ({
    columnNames: [],
    columnTypes: [],
    rows: [],
  }));
  q.executeRaw = orScript(q.executeRaw.bind(q), 'executeRaw', () => 0);
  if (typeof q.executeScript === 'function') {
    const executeScript = q.executeScript.bind(q);
    q.executeScript = async (script) => {
      try {
        return await executeScript(script);
      } catch (e) {
        throw mapBusy(e);
      }
    };
  }
  return q;
}
function wrapSqliteAdapter(adapter) {
  wrapSqliteQueryable(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (...args) => wrapSqliteQueryable(await startTransaction(...args));
  return adapter;
}

export async function sqliteFactory(datasource) {
  const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
  const url = datasource.url ?? 'file::memory:';
  const file = sqlitePath(url);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const shadow = datasource.shadowDatabaseUrl ? sqlitePath(datasource.shadowDatabaseUrl) : ':memory:';
  const base = new PrismaBetterSqlite3({ url: file }, { shadowDatabaseUrl: shadow });
  const open = [];
  const track = (a) => {
    open.push(a);
    return wrapSqliteAdapter(a);
  };
  return {
    provider: 'sqlite',
    file,
    factory: {
      provider: base.provider,
      adapterName: base.adapterName,
      connect: async () => track(await base.connect()),
      connectToShadowDb: async () => track(await base.connectToShadowDb()),
    },
    /** Pitfall 3: drop everything instead of deleting rows. */
    async reset() {
      const a = await base.connect();
      try {
        const rows = (
          await a.queryRaw({
            sql: "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND type IN ('table','view')",
            args: [],
            argTypes: [],
          })
        ).rows;
        const drops = rows.map(
          ([type, name]) => `DROP ${type === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${quoteIdent(name)};`,
        );
        a.client.exec(`PRAGMA foreign_keys = OFF;\n${drops.join('\n')}\nPRAGMA foreign_keys = ON;`);
        a.client.exec('VACUUM');
      } finally {
        await a.dispose();
      }
    },
    async close() {
      for (const a of open.splice(0)) {
        try {
          if (a.client.open) a.client.close();
        } catch {}
      }
    },
  };
}

/** Pitfall 4: present PostgreSQL's internal `"char"` (OID 18) as text (OID 25). */
async function charAsTextClient() {
  const pg = (await import('pg')).default;
  const fixFields = (res) => {
    for (const r of Array.isArray(res) ? res : [res]) {
      for (const f of r?.fields ?? []) if (f.dataTypeID === 18) f.dataTypeID = 25;
    }
    return res;
  };
  return class CharAsTextClient extends pg.Client {
    query(config, values, callback) {
      const args = [config, values, callback];
      const cbIndex = args.findIndex((x) => typeof x === 'function');
      if (cbIndex >= 0) {
        const cb = args[cbIndex];
        args[cbIndex] = (err, res) => cb(err, err ? res : fixFields(res));
        return super.query(...args.slice(0, cbIndex + 1));
      }
      if (config && typeof config === 'object' && typeof config.callback === 'function') {
        const cb = config.callback;
        config.callback = (err, res) => cb(err, err ? res : fixFields(res));
        return super.query(config, values);
      }
      const ret = super.query(config, values);
      return ret && typeof ret.then === 'function' ? ret.then(fixFields) : ret;
    }
  };
}

export async function pgFactory(datasource) {
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const pg = (await import('pg')).default;
  const Client = await charAsTextClient();
  const url = datasource.url;
  if (!url) {
    // The wasm engine queries the database as soon as it starts, even for `migrate diff --from-empty`.
    throw new UserFacingError(
      'P1012',
      'This command needs a PostgreSQL database: set DATABASE_URL=postgresql://... (prisma/postgresql/prisma.config.ts reads it).',
    );
  }
  const schema = pgSchemaOf(url);
  const options = schema ? { schema } : undefined;
  if (schema) await adminQuery(url, `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`).catch(() => {});
  const base = new PrismaPg(pgConfig(url, Client), options);
  const shadows = new Map(); // name -> { pool, dropped }

  /** Pitfall 5: a real, separate shadow database, created and dropped here. */
  async function connectToShadowDb() {
    if (datasource.shadowDatabaseUrl) {
      const f = new PrismaPg(pgConfig(datasource.shadowDatabaseUrl, Client), options);
      return f.connect();
    }
    const name = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
    await adminQuery(url, `CREATE DATABASE ${quoteIdent(name)}`);
    const shadowUrl = withDatabase(url, name);
    if (schema) await adminQuery(shadowUrl, `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    const pool = new pg.Pool(pgConfig(shadowUrl, Client));
    const entry = { pool, dropped: false };
    shadows.set(name, entry);
    const f = new PrismaPg(pool, options);
    const adapter = await f.connect();
    adapter.dispose = () => dropShadow(name);
    return adapter;
  }
  async function dropShadow(name) {
    const entry = shadows.get(name);
    if (!entry || entry.dropped) return;
    entry.dropped = true;
    shadows.delete(name);
    await entry.pool.end().catch(() => {});
    await adminQuery(url, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).catch((e) =>
      log('WARN', `could not drop shadow database ${name}: ${e.message}`),
    );
  }
  const open = [];
  return {
    provider: 'postgresql',
    factory: {
      provider: base.provider,
      adapterName: base.adapterName,
      connect: async () => {
        const a = await base.connect();
        open.push(a);
        return a;
      },
      connectToShadowDb,
    },
    reset: undefined,
    /** Called after each request: shadow databases never outlive the request that made them. */
    async afterRequest() {
      await Promise.all([...shadows.keys()].map(dropShadow));
    },
    async close() {
      await this.afterRequest();
      await Promise.all(open.splice(0).map((a) => a.dispose().catch(() => {})));
    },
  };
}
