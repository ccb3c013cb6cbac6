/**
 * `npm install` warns `EBADENGINE @prisma/streams-local requires node >=22`: prisma 7.10.0 depends on
 * @prisma/dev (the `prisma dev` local Prisma Postgres server, which this project never runs), and that
 * on @prisma/streams-local. We stay on Node >= 20 (tested: 20.x): this shows that neither the backend
 * process nor the Prisma CLI it runs for migrations ever loads @prisma/streams-local, and that the
 * backend does not load @prisma/dev at all (the CLI loads only @prisma/dev's small state module).
 * A preload records every module resolution, CommonJS and ESM, that names either package.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../support/cluster.ts';
import { freePort, ROOT, readyLine, runTs } from '../support/proc.ts';

const dir = mkdtempSync(join(tmpdir(), 'att-node-engine-'));
const WATCHED = /@prisma[\\/](dev|streams-local)([\\/]|$)/;

/** A preload that appends every resolution of a watched package to `log`. */
function hook(log: string): string {
  const esm = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (${WATCHED}.test(r.url)) appendFileSync(${JSON.stringify(log)}, 'esm ' + r.url + '\\n');
  return r;
}`;
  const file = join(dir, `hook-${Math.random().toString(36).slice(2)}.cjs`);
  writeFileSync(
    file,
    `
const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const r = resolveFilename.call(this, request, ...rest);
  if (${WATCHED}.test(r)) appendFileSync(${JSON.stringify(log)}, 'cjs ' + r + '\\n');
  return r;
};
Module.register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(esm)}));
`,
  );
  return file;
}

const loaded = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);

describe('the Node 22 requirement of @prisma/streams-local does not concern us', () => {
  it('the watch sees a load of @prisma/streams-local when there is one (the test can fail)', () => {
    const log = join(dir, 'control.log');
    const r = spawnSync(
      process.execPath,
      ['--require', hook(log), '-e', "import('@prisma/streams-local').catch(() => {})"],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(loaded(log).some((l) => l.includes('@prisma/streams-local'))).toBe(true);
  });

  it('the backend, started, migrating a new database and stopped, loads neither package', async () => {
    const log = join(dir, 'backend.log');
    const p = runTs(
      'backend/main.ts',
      [],
      {
        NODE_OPTIONS: `--require ${hook(log)}`,
        DATABASE_URL: '',
        DATA_DIR: join(dir, 'data'),
        HOST: '127.0.0.1',
        MQTT_HOST: '127.0.0.1',
        PORT: String(await freePort()),
        MQTT_PORT: String(await freePort()),
        ADMIN_PASSWORD,
      },
      join(dir, 'backend.out'),
    );
    await p.waitFor(readyLine, 90_000);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(existsSync(join(dir, 'data', 'attendance.db'))).toBe(true);
    expect(loaded(log)).toEqual([]);
  });

  it('prisma migrate deploy loads only @prisma/dev’s state module, never @prisma/streams-local', () => {
    const log = join(dir, 'cli.log');
    const cli = createRequire(join(ROOT, 'package.json')).resolve('prisma/build/index.js');
    const r = spawnSync(
      process.execPath,
      [
        '--require',
        hook(log),
        cli,
        'migrate',
        'deploy',
        '--config',
        join(ROOT, 'prisma/sqlite/prisma.config.ts'),
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: `file:${join(dir, 'cli.db')}`,
          CHECKPOINT_DISABLE: '1',
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
        },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const seen = loaded(log);
    expect(seen.some((l) => l.includes('@prisma/streams-local'))).toBe(false);
    expect(seen.every((l) => /@prisma[\\/]dev[\\/]dist[\\/]state\.cjs$/.test(l))).toBe(true);
  });
});
