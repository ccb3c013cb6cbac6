#!/usr/bin/env node
// Stand-in for Prisma's native `schema-engine` binary, built on @prisma/schema-engine-wasm.
//
// Why: every Prisma CLI command (generate, migrate, db push) wants the native schema engine,
// which it downloads from Prisma's own host. This machine (and the closed government networks
// the product is deployed on) reach only the npm registry, so that download fails. The CLI runs
// whatever executable PRISMA_SCHEMA_ENGINE_BINARY names (our prisma/*/prisma.config.ts set it to
// this file) and talks to it exactly as to the native engine:
//   - `schema-engine [--datamodels FILE]... [--datasource JSON]` : JSON-RPC 2.0, one message per
//     line over stdin/stdout; logs as JSON lines on stderr.
//   - `schema-engine --datasource JSON cli can-connect-to-database|create-database|drop-database`
//     : one-shot; errors as JSON log lines on stderr (the CLI skips the first stderr line).
// Each JSON-RPC method is forwarded to the wasm `SchemaEngine`, which reaches the database through
// a Prisma driver adapter (better-sqlite3 or pg) wrapped by bindMigrationAwareSqlAdapterFactory.
//
// Pitfalls of the wasm engine handled here (see shared/design/PRISMA.md):
//   1. On a database without `_prisma_migrations` it fails with P1014 where the native engine
//      treats the history as empty: create the table (apply an empty migration list), retry.
//   2. SQLite: multi-statement SQL (a migration.sql replayed on the shadow database) arrives as one
//      statement, which better-sqlite3 refuses: retry it with executeScript.
//   3. SQLite `reset` only deletes rows: drop every table/view ourselves.
//   4. adapter-pg rejects PostgreSQL's internal `"char"` type (OID 18) read by schema inspection:
//      present it as text (OID 25).
//   5. adapter-pg's shadow database reuses the main database when given a connection string:
//      create and drop the shadow database ourselves.
//   6. `migrate diff` starts the engine without --datamodels: use a bare datasource block; the
//      diff text goes back to the CLI as a `print` request, as the native engine does.
// Found while building this (not in PRISMA.md):
//   7. evaluateDataLoss/createMigration get no adapter factory in the wasm engine and read the
//      migration-history schema from a cache filled by devDiagnostic; when `migrate dev` first
//      applied pending migrations the cache misses ("SQLite shadow DB must be provided through an
//      external factory"): run devDiagnostic again, retry.
//   8. adapter-better-sqlite3 reports SQLITE_BUSY as `SocketTimeout`, a kind the wasm engine cannot
//      read: re-report it as a SQLite error saying the file is in use (migrations lock it
//      exclusively, so they fail while another process has the WAL-mode database open).
//   9. PostgreSQL `?schema=name`: the adapter does not set search_path; we do (and create it).
//
// Debugging: SCHEMA_ENGINE_SHIM_DEBUG=1 logs every request/response and the wasm engine's own
// log lines to stderr (visible with DEBUG="prisma:schemaEngine*" or in the CLI error output).

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';

const require = createRequire(import.meta.url);
const ENGINE_HASH = '0edf323efd1d98336f3f0a68684b56f689b900d3';
const DEBUG = !!process.env.SCHEMA_ENGINE_SHIM_DEBUG;

// ---------------------------------------------------------------------------------------------
// logging (stderr, JSON lines in the native engine's tracing format)

function logLine(level, message, extra = {}) {
  return JSON.stringify({
    timestamp: new Date().toISOString(),
    level,
    fields: { message, ...extra },
    target: 'schema_engine::logger',
  });
}
function log(level, message, extra) {
  process.stderr.write(`${logLine(level, message, extra)}\n`);
}
function debug(message) {
  if (DEBUG) log('DEBUG', message);
}

// ---------------------------------------------------------------------------------------------
// arguments

function parseArgs(argv) {
  const out = { datamodels: [], datasource: undefined, cli: undefined, version: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--datamodels' || a === '-d') out.datamodels.push(argv[++i]);
    else if (a === '--datasource') out.datasource = JSON.parse(argv[++i] ?? '{}');
    else if (a === '--enabled-preview-features' || a === '--extension-types') i++;
    else if (a === '--version' || a === '-V') out.version = true;
    else if (a === 'cli') {
      out.cli = argv[i + 1];
      break;
    }
  }
  return out;
}

function providerOfUrl(url) {
  if (!url) return undefined;
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  return undefined;
}

function providerOfSchema(content) {
  const m = /datasource\s+\w+\s*\{[^}]*?provider\s*=\s*"([^"]+)"/s.exec(content);
  return m?.[1];
}

// `file:./dev.db` → absolute path, resolved against the engine's cwd (the CLI starts it in the
// config's base directory). Query strings (`?connection_limit=1`) are dropped.
function sqlitePath(url) {
  const p = url.replace(/^file:/, '').replace(/\?.*$/, '');
  if (p === ':memory:') return p;
  return path.resolve(process.cwd(), p);
}

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}
function databaseOf(url) {
  const u = new URL(url);
  return decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
}
function pgSchemaOf(url) {
  return new URL(url).searchParams.get('schema') ?? undefined;
}
// pg's connection-string parser does not know Prisma's `schema` parameter: strip it.
function pgConnectionString(url) {
  const u = new URL(url);
  u.searchParams.delete('schema');
  return u.toString();
}
/** pg config for a URL; `?schema=name` becomes the connection's search_path, as with the native engine. */
function pgConfig(url, Client) {
  const schema = pgSchemaOf(url);
  return {
    connectionString: pgConnectionString(url),
    ...(schema ? { options: `-c search_path=${quoteIdent(schema)}` } : {}),
    ...(Client ? { Client } : {}),
  };
}
function quoteIdent(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

// ---------------------------------------------------------------------------------------------
// driver adapters

class UserFacingError extends Error {
  constructor(code, message, meta = {}) {
    super(message);
    this.code = code;
    this.meta = meta;
  }
}

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
  const queryRaw = q.queryRaw.bind(q);
  const executeRaw = q.executeRaw.bind(q);
  q.queryRaw = async (query) => {
    try {
      return await queryRaw(query);
    } catch (e) {
      if (!isMultiStatementError(e) || query.args.length > 0) throw mapBusy(e);
      debug('multi-statement SQL in queryRaw: running it with exec()');
      q.client.exec(query.sql);
      return { columnNames: [], columnTypes: [], rows: [] };
    }
  };
  q.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (e) {
      if (!isMultiStatementError(e) || query.args.length > 0) throw mapBusy(e);
      debug('multi-statement SQL in executeRaw: running it with exec()');
      q.client.exec(query.sql);
      return 0;
    }
  };
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

async function sqliteFactory(datasource) {
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

async function pgFactory(datasource) {
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

/** Runs one statement on the server's maintenance connection (same server, another database). */
async function adminQuery(url, sql, database) {
  const pg = (await import('pg')).default;
  const target = database ?? databaseOf(url);
  // Connect to the URL's own database unless told otherwise; CREATE/DROP DATABASE work from any.
  const client = new pg.Client({ connectionString: pgConnectionString(withDatabase(url, target)) });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// the wasm engine

async function loadWasm() {
  const bg = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  const wasmPath = path.join(
    path.dirname(require.resolve('@prisma/schema-engine-wasm')),
    'schema_engine_bg.wasm',
  );
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmPath), {
    './schema_engine_bg.js': bg,
  });
  bg.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return bg;
}

function readDatamodels(files) {
  return files.map((f) => [f, fs.readFileSync(f, 'utf8')]);
}

function schemaFilesInParams(params) {
  const files = [];
  const visit = (v) => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v.files))
      for (const f of v.files) if (typeof f?.content === 'string') files.push(f.content);
    for (const k of Object.keys(v)) if (k !== 'files') visit(v[k]);
  };
  visit(params);
  return files;
}

class Engine {
  constructor(args) {
    this.args = args;
    this.datasource = args.datasource ?? {};
    this.datamodels = readDatamodels(args.datamodels);
    this.engine = undefined;
    this.db = undefined;
    this.bindings = undefined;
  }

  provider(params) {
    for (const [, content] of this.datamodels) {
      const p = providerOfSchema(content);
      if (p) return p;
    }
    const p = providerOfUrl(this.datasource.url);
    if (p) return p;
    for (const content of schemaFilesInParams(params)) {
      const q = providerOfSchema(content);
      if (q) return q;
    }
    throw new UserFacingError(
      'P1012',
      'Could not tell the database provider (no schema, no datasource URL).',
    );
  }

  async init(params) {
    if (this.engine) return this.engine;
    const provider = this.provider(params);
    if (provider === 'sqlite') this.db = await sqliteFactory(this.datasource);
    else if (provider === 'postgresql' || provider === 'postgres') this.db = await pgFactory(this.datasource);
    else
      throw new UserFacingError(
        'P1012',
        `The schema engine shim supports sqlite and postgresql, not ${provider}.`,
      );
    const { bindMigrationAwareSqlAdapterFactory } = await import('@prisma/driver-adapter-utils');
    this.bound = bindMigrationAwareSqlAdapterFactory(this.db.factory);
    this.bindings = await loadWasm();
    // Pitfall 6: without --datamodels (migrate diff) the engine still needs to know the provider.
    const datamodels =
      this.datamodels.length > 0
        ? this.datamodels
        : [
            [
              'schema.prisma',
              `datasource db {\n  provider = "${provider === 'postgres' ? 'postgresql' : provider}"\n}\n`,
            ],
          ];
    this.engine = await this.bindings.SchemaEngine.new(
      { datamodels },
      (line) => debug(`wasm: ${line}`),
      this.bound,
    );
    return this.engine;
  }

  /** Maps a thrown wasm/adapter error to a JSON-RPC error object the CLI understands. */
  rpcError(e) {
    let err = e;
    // Errors thrown by our JS adapters are registered and referenced by id (`GenericJs`).
    const id = /(?:External error id#|GenericJs\D*)(\d+)/.exec(String(e?.message ?? ''))?.[1];
    if (id !== undefined && this.bound) {
      const rec = this.bound.errorRegistry.consumeError(Number(id));
      if (rec) err = rec.error;
    }
    const code = typeof err?.code === 'string' && /^P\d{4}$/.test(err.code) ? err.code : undefined;
    const message = String(err?.message ?? err);
    const isPanic =
      !code && (err instanceof WebAssembly.RuntimeError || /unreachable|panicked/.test(message));
    return {
      code: 4466,
      message: 'An error happened. Check the data field for details.',
      data: {
        is_panic: isPanic,
        message,
        backtrace: isPanic ? (err?.stack ?? null) : null,
        meta: err?.meta ?? {},
        error_code: code,
      },
    };
  }

  async call(method, params) {
    const engine = await this.init(params);
    const wasmMethod = method === 'getDatabaseVersion' ? 'version' : method;
    if (method === 'reset' && this.db.reset) {
      await this.db.reset();
      return {};
    }
    if (typeof engine[wasmMethod] !== 'function') {
      throw new UserFacingError('P1012', `The wasm schema engine has no method ${method}.`);
    }
    const run = () => engine[wasmMethod](params);
    let result;
    try {
      result = await run();
    } catch (e) {
      // Pitfall 1: no migrations table yet → make it (empty history) and try again.
      if (e?.code === 'P1014' && params?.migrationsList) {
        debug(`${method}: P1014, creating _prisma_migrations and retrying`);
        await engine.applyMigrations({
          migrationsList: { ...params.migrationsList, migrationDirectories: [] },
          filters: params.filters ?? { externalTables: [], externalEnums: [] },
        });
        result = await run();
      } else if (
        /shadow DB must be provided through an external factory/.test(e?.message) &&
        params?.migrationsList
      ) {
        // evaluateDataLoss/createMigration get no adapter factory in the wasm engine: they read the
        // schema of the migration history from a cache that devDiagnostic fills. After `migrate dev`
        // applied pending migrations that cache is keyed by the old history: warm it, retry.
        debug(`${method}: no cached migration-history schema, running devDiagnostic to build it`);
        await engine.devDiagnostic({
          migrationsList: params.migrationsList,
          filters: params.filters ?? { externalTables: [], externalEnums: [] },
        });
        result = await run();
      } else {
        throw e;
      }
    }
    if (method === 'diff' && result && typeof result.stdout === 'string') {
      const { stdout, ...rest } = result;
      if (stdout.length > 0) await this.print(stdout.endsWith('\n') ? stdout.slice(0, -1) : stdout);
      return rest;
    }
    return result ?? {};
  }

  print(content) {
    return new Promise((resolve) => {
      const id = nextPrintId++;
      pendingPrints.set(id, resolve);
      send({ jsonrpc: '2.0', method: 'print', params: { content }, id });
    });
  }

  async afterRequest() {
    await this.db?.afterRequest?.();
  }

  async close() {
    try {
      this.engine?.free();
    } catch {}
    await this.db?.close();
  }
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC over stdio

let nextPrintId = 1_000_000;
const pendingPrints = new Map();

function send(msg) {
  process.stdout.write(`${JSON.stringify(msg)}\n`);
}

async function serve(args) {
  const engine = new Engine(args);
  let chain = Promise.resolve();
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      return;
    }
    if (msg.method === undefined) {
      // a response to one of our `print` requests
      pendingPrints.get(msg.id)?.();
      pendingPrints.delete(msg.id);
      return;
    }
    chain = chain.then(async () => {
      const started = Date.now();
      debug(`-> ${msg.method} ${JSON.stringify(msg.params ?? null).slice(0, 2000)}`);
      try {
        const result = await engine.call(msg.method, msg.params);
        debug(`<- ${msg.method} ok in ${Date.now() - started} ms ${JSON.stringify(result).slice(0, 2000)}`);
        send({ jsonrpc: '2.0', id: msg.id, result });
      } catch (e) {
        const error = engine.rpcError(e);
        debug(`<- ${msg.method} error in ${Date.now() - started} ms ${JSON.stringify(error)}`);
        send({ jsonrpc: '2.0', id: msg.id, error });
      } finally {
        await engine.afterRequest().catch(() => {});
      }
    });
  });
  rl.on('close', () => {
    chain = chain.then(async () => {
      await engine.close();
      process.exit(0);
    });
  });
  // The CLI ends stdin and kills us right away; shadow databases are already gone by then.
  process.on('SIGTERM', () => {
    engine
      .close()
      .catch(() => {})
      .finally(() => process.exit(0));
  });
}

// ---------------------------------------------------------------------------------------------
// one-shot `cli` commands

async function cliCommand(command, datasource) {
  const url = datasource?.url;
  const provider = providerOfUrl(url);
  if (provider === 'sqlite') {
    const file = sqlitePath(url);
    if (command === 'can-connect-to-database') {
      if (file !== ':memory:' && !fs.existsSync(file)) {
        throw new UserFacingError('P1003', `Database ${path.basename(file)} does not exist at ${file}`, {
          database_file_name: path.basename(file),
          database_file_path: file,
        });
      }
      return;
    }
    if (command === 'create-database') {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const Database = (await import('better-sqlite3')).default;
      new Database(file).close();
      return `Database '${path.basename(file)}' was successfully created.`;
    }
    if (command === 'drop-database') {
      for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${suffix}`, { force: true });
      return `The database at ${file} was successfully dropped.`;
    }
  } else if (provider === 'postgresql') {
    const db = databaseOf(url);
    try {
      if (command === 'can-connect-to-database') {
        await adminQuery(url, 'SELECT 1');
        return;
      }
      if (command === 'create-database') {
        await adminQuery(url, `CREATE DATABASE ${quoteIdent(db)}`, 'postgres');
        return `Database '${db}' was successfully created.`;
      }
      if (command === 'drop-database') {
        await adminQuery(url, `DROP DATABASE IF EXISTS ${quoteIdent(db)} WITH (FORCE)`, 'postgres');
        return `The database '${db}' was successfully dropped.`;
      }
    } catch (e) {
      const u = new URL(url);
      if (e.code === '3D000')
        throw new UserFacingError(
          'P1003',
          `Database \`${db}\` does not exist on the database server at \`${u.host}\`.`,
          {
            database_name: db,
            database_host: u.hostname,
            database_port: u.port,
          },
        );
      if (e.code === '42P04')
        throw new UserFacingError(
          'P1009',
          `Database \`${db}\` already exists on the database server at \`${u.host}\``,
        );
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND')
        throw new UserFacingError('P1001', `Can't reach database server at \`${u.host}\``, {
          database_host: u.hostname,
          database_port: u.port,
        });
      if (e.code === '28P01' || e.code === '28000')
        throw new UserFacingError(
          'P1000',
          `Authentication failed against database server at \`${u.host}\`: ${e.message}`,
        );
      throw e;
    }
  } else {
    throw new UserFacingError(
      'P1013',
      'The provided database string is invalid: only file: and postgresql:// URLs are supported.',
    );
  }
  throw new UserFacingError('P1012', `Unknown cli command ${command}`);
}

// ---------------------------------------------------------------------------------------------

const args = parseArgs(process.argv.slice(2));
if (args.version) {
  process.stdout.write(`schema-engine-cli ${ENGINE_HASH}\n`);
} else if (args.cli) {
  try {
    const message = await cliCommand(args.cli, args.datasource);
    if (message) process.stdout.write(`${logLine('INFO', message)}\n`);
    process.exit(0);
  } catch (e) {
    // The CLI drops the first stderr line and parses every other one as JSON: no trailing newline.
    const lines = [logLine('INFO', `schema-engine shim: ${args.cli}`)];
    if (e instanceof UserFacingError)
      lines.push(logLine('ERROR', e.message, { error_code: e.code, ...e.meta }));
    else lines.push(logLine('ERROR', String(e?.message ?? e)));
    process.stderr.write(lines.join('\n'));
    process.exit(1);
  }
} else {
  await serve(args);
}
