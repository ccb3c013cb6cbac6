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
//
// Modules: schema-engine-common.mjs (logging, arguments, URLs), schema-engine-adapters.mjs (driver
// adapters), schema-engine-rpc.mjs (the wasm engine over JSON-RPC), schema-engine-cli.mjs (`cli`).

import { cliCommand } from './schema-engine-cli.mjs';
import { logLine, parseArgs, UserFacingError } from './schema-engine-common.mjs';
import { serve } from './schema-engine-rpc.mjs';

const ENGINE_HASH = '0edf323efd1d98336f3f0a68684b56f689b900d3';

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
