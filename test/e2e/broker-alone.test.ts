/**
 * `npm run broker` (tsx broker/main.ts) on its own: it imports nothing of backend/, starts against a
 * database the backend migrated, authenticates terminals from it and records refused publishes in it.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase } from '../../backend/db/database.ts';
import { hashSecret } from '../../broker/credentials.ts';
import { topics } from '../../protocol/index.ts';
import { createPgDatabase } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { connect, end, until } from '../support/mqtt.ts';
import { freePort, type Proc, ROOT, readyLine, runTs } from '../support/proc.ts';

/** Every project file reachable from `entry` through static and dynamic imports, relative to ROOT. */
function importClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [resolve(ROOT, entry)];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      if (ref.fileName.startsWith('.')) todo.push(resolve(dirname(file), ref.fileName));
    }
  }
  return new Set([...seen].map((f) => relative(ROOT, f)));
}

describe('the broker’s imports', () => {
  it('reach no file of backend/ from broker/main.ts', () => {
    const files = importClosure('broker/main.ts');
    expect(files.has('broker/broker.ts')).toBe(true); // the scan follows imports
    expect([...files].filter((f) => f.startsWith('backend/'))).toEqual([]);
  });

  it('would name a backend file reached through another module', () => {
    // The scanner itself: backend/server.ts embeds the broker, so its closure holds both.
    const files = importClosure('backend/server.ts');
    expect(files.has('broker/broker.ts')).toBe(true);
    expect(files.has('backend/db/database.ts')).toBe(true);
  });
});

describeEachDb('npm run broker alone on %s', (db) => {
  const dir = mkdtempSync(join(tmpdir(), 'att-broker-'));
  const secret = randomBytes(32).toString('hex');
  const serviceSecret = randomBytes(32).toString('hex');
  const imports = join(dir, 'imports.txt');
  let url = '';
  let broker: Proc;
  let port = 0;

  beforeAll(async () => {
    url = db === 'sqlite' ? `file:${join(dir, 'att.db')}` : await createPgDatabase();
    await migrateDatabase(url);
    const d = await openDatabase(url);
    try {
      await d.prisma.site.create({ data: { id: 'kantor', name: 'Kantor', timeZone: 'Asia/Jakarta' } });
      await d.prisma.terminal.create({
        data: { id: 'k-alone', name: 'Lobby', siteId: 'kantor', secretHash: hashSecret(secret) },
      });
    } finally {
      await d.close();
    }
    port = await freePort();
    // Records every module the broker process resolves (a loader hook), to check at run time too.
    const hook = join(dir, 'record-imports.mjs');
    writeFileSync(
      hook,
      `import { appendFileSync } from 'node:fs';
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  appendFileSync(${JSON.stringify(imports)}, r.url + '\\n');
  return r;
}`,
    );
    const register = join(dir, 'register.mjs');
    writeFileSync(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hook}`)});\n`,
    );
    appendFileSync(imports, '');
    const before = process.env.ATT_CHILD_NODE_ARGS;
    process.env.ATT_CHILD_NODE_ARGS = `--import ${register}`;
    try {
      broker = runTs(
        'broker/main.ts',
        [],
        {
          DATABASE_URL: url,
          DATA_DIR: dir,
          MQTT_PORT: String(port),
          MQTT_HOST: '127.0.0.1',
          MQTT_SERVICE_SECRET: serviceSecret,
        },
        join(dir, 'broker.log'),
      );
    } finally {
      if (before === undefined) delete process.env.ATT_CHILD_NODE_ARGS;
      else process.env.ATT_CHILD_NODE_ARGS = before;
    }
    await broker.waitFor(readyLine);
  });

  afterAll(async () => {
    await broker?.kill('SIGKILL');
  });

  it('is what `npm run broker` runs', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.broker).toBe('tsx broker/main.ts');
  });

  it('authenticates a terminal from the database and refuses a wrong secret', async () => {
    const mqttUrl = `mqtt://127.0.0.1:${port}`;
    const ok = await connect(mqttUrl, { clientId: 'k-alone', username: 'k-alone', password: secret });
    expect(ok.connected).toBe(true);
    await end(ok);
    await expect(
      connect(mqttUrl, { clientId: 'k-alone', username: 'k-alone', password: 'wrong-secret' }),
    ).rejects.toThrow(/Bad username or password/i);
    await expect(
      connect(mqttUrl, { clientId: 'k-nobody', username: 'k-nobody', password: secret }),
    ).rejects.toThrow(/Bad username or password/i);
    const svc = await connect(mqttUrl, {
      clientId: 'svc.test',
      username: 'svc.backend',
      password: serviceSecret,
    });
    expect(svc.connected).toBe(true);
    await end(svc);
  });

  it('records a refused publish in the database', async () => {
    const c = await connect(`mqtt://127.0.0.1:${port}`, {
      clientId: 'k-alone',
      username: 'k-alone',
      password: secret,
    });
    // Another terminal's topic: the ACL refuses and the broker disconnects the client.
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish(topics.event('k-other'), '{}', { qos: 0 });
    await closed;
    c.end(true);
    const d = await openDatabase(url);
    try {
      const found = await until(
        async () => (await d.prisma.rejectedMessage.count({ where: { source: 'broker', code: 'ACL' } })) > 0,
        10_000,
      );
      expect(found).toBe(true);
      const row = await d.prisma.rejectedMessage.findFirst({ where: { source: 'broker' } });
      expect(row).toMatchObject({ terminalId: 'k-alone', topic: topics.event('k-other') });
    } finally {
      await d.close();
    }
  });

  it('loaded no module of backend/ and stops cleanly on SIGTERM', async () => {
    const loaded = readFileSync(imports, 'utf8').split('\n').filter(Boolean);
    expect(loaded.some((u) => u.endsWith('/broker/broker.ts'))).toBe(true);
    expect(loaded.filter((u) => u.includes(`${ROOT}/backend/`))).toEqual([]);
    expect(await broker.kill('SIGTERM')).toBe(0);
  });
});

describe('npm run broker started before the backend ever ran (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'att-broker-first-'));
  const url = `file:${join(dir, 'att.db')}`;
  const secret = randomBytes(32).toString('hex');
  let broker: Proc;
  let mqttUrl = '';

  beforeAll(async () => {
    const port = await freePort();
    mqttUrl = `mqtt://127.0.0.1:${port}`;
    broker = runTs(
      'broker/main.ts',
      [],
      { DATABASE_URL: url, DATA_DIR: dir, MQTT_PORT: String(port), MQTT_HOST: '127.0.0.1' },
      join(dir, 'broker.log'),
    );
    await broker.waitFor(readyLine);
  });
  afterAll(async () => {
    await broker?.kill('SIGKILL');
  });

  it('refuses terminals as unavailable, lets the backend migrate the file, then authenticates at once', async () => {
    await expect(
      connect(mqttUrl, { clientId: 'k-first', username: 'k-first', password: secret }),
    ).rejects.toThrow(/Server unavailable/i);
    // A SQLite migration needs the file to itself: it fails if the broker holds it open.
    await migrateDatabase(url);
    const d = await openDatabase(url);
    try {
      await d.prisma.site.create({ data: { id: 'kantor', name: 'Kantor', timeZone: 'Asia/Jakarta' } });
      await d.prisma.terminal.create({
        data: { id: 'k-first', name: 'Lobby', siteId: 'kantor', secretHash: hashSecret(secret) },
      });
    } finally {
      await d.close();
    }
    // At once, not after the broker's next look at the file: a kiosk connecting right after the
    // backend's start is accepted on its first try.
    const c = await connect(mqttUrl, { clientId: 'k-first', username: 'k-first', password: secret });
    expect(c.connected).toBe(true);
    await end(c);
  });
});
