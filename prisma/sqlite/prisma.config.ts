// Prisma CLI config for the SQLite flavour. Use it with `--config prisma/sqlite/prisma.config.ts`.
// The datasource is DATABASE_URL when it is a `file:` URL, else ./data/attendance.db of the project.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

// No native schema engine can be downloaded here: point the CLI at our wasm-backed shim.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(root, 'prisma', 'engine', 'schema-engine-shim.mjs');
// Offline: skip the CLI's update check / telemetry ping.
process.env.CHECKPOINT_DISABLE ??= '1';

/** `file:` URL with an absolute path: relative paths are taken from the current directory, as at run time. */
function sqliteUrl(url: string | undefined): string {
  const fallback = path.join(root, 'data', 'attendance.db');
  if (!url?.startsWith('file:')) return `file:${fallback}`;
  const file = url.slice('file:'.length);
  return file === ':memory:' ? url : `file:${path.resolve(process.cwd(), file)}`;
}

export default defineConfig({
  schema: here,
  migrations: { path: path.join(here, 'migrations') },
  datasource: { url: sqliteUrl(process.env.DATABASE_URL) },
});
