// Prisma CLI config for the PostgreSQL flavour. Use it with `--config prisma/postgresql/prisma.config.ts`
// and DATABASE_URL=postgresql://user@host:port/db (commands that touch a database need it).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

// No native schema engine can be downloaded here: point the CLI at our wasm-backed shim.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(root, 'prisma', 'engine', 'schema-engine-shim.mjs');
// Offline: skip the CLI's update check / telemetry ping.
process.env.CHECKPOINT_DISABLE ??= '1';

const url = process.env.DATABASE_URL;
const isPg = url !== undefined && /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  schema: here,
  migrations: { path: path.join(here, 'migrations') },
  ...(isPg ? { datasource: { url } } : {}),
});
