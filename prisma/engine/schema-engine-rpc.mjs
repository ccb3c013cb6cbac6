// The wasm schema engine behind JSON-RPC 2.0 over stdio, as the Prisma CLI talks to the native
// engine (schema-engine-shim.mjs): pitfalls 1, 6 and 7.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { pgFactory, sqliteFactory } from './schema-engine-adapters.mjs';
import { debug, providerOfSchema, providerOfUrl, UserFacingError } from './schema-engine-common.mjs';

const require = createRequire(import.meta.url);

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

export async function serve(args) {
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
