// Shared by the schema engine shim's modules (schema-engine-shim.mjs): logging in the native
// engine's format, arguments, database URLs, the error type the CLI shows, maintenance queries.

import path from 'node:path';

const DEBUG = !!process.env.SCHEMA_ENGINE_SHIM_DEBUG;

// ---------------------------------------------------------------------------------------------
// logging (stderr, JSON lines in the native engine's tracing format)

export function logLine(level, message, extra = {}) {
  return JSON.stringify({
    timestamp: new Date().toISOString(),
    level,
    fields: { message, ...extra },
    target: 'schema_engine::logger',
  });
}
export function log(level, message, extra) {
  process.stderr.write(`${logLine(level, message, extra)}\n`);
}
export function debug(message) {
  if (DEBUG) log('DEBUG', message);
}

// ---------------------------------------------------------------------------------------------
// arguments

export function parseArgs(argv) {
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

export function providerOfUrl(url) {
  if (!url) return undefined;
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  return undefined;
}

export function providerOfSchema(content) {
  const m = /datasource\s+\w+\s*\{[^}]*?provider\s*=\s*"([^"]+)"/s.exec(content);
  return m?.[1];
}

// `file:./dev.db` → absolute path, resolved against the engine's cwd (the CLI starts it in the
// config's base directory). Query strings (`?connection_limit=1`) are dropped.
export function sqlitePath(url) {
  const p = url.replace(/^file:/, '').replace(/\?.*$/, '');
  if (p === ':memory:') return p;
  return path.resolve(process.cwd(), p);
}

export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}
export function databaseOf(url) {
  const u = new URL(url);
  return decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
}
export function pgSchemaOf(url) {
  return new URL(url).searchParams.get('schema') ?? undefined;
}
// pg's connection-string parser does not know Prisma's `schema` parameter: strip it.
export function pgConnectionString(url) {
  const u = new URL(url);
  u.searchParams.delete('schema');
  return u.toString();
}
/** pg config for a URL; `?schema=name` becomes the connection's search_path, as with the native engine. */
export function pgConfig(url, Client) {
  const schema = pgSchemaOf(url);
  return {
    connectionString: pgConnectionString(url),
    ...(schema ? { options: `-c search_path=${quoteIdent(schema)}` } : {}),
    ...(Client ? { Client } : {}),
  };
}
export function quoteIdent(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

export class UserFacingError extends Error {
  constructor(code, message, meta = {}) {
    super(message);
    this.code = code;
    this.meta = meta;
  }
}

/** Runs one statement on the server's maintenance connection (same server, another database). */
export async function adminQuery(url, sql, database) {
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
