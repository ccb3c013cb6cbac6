/**
 * A real deployment on loopback for end-to-end tests: the backend (and, when
 * asked, a separate broker) as child processes on a fresh SQLite file or a
 * fresh PostgreSQL database, and kiosks as child processes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../backend/db/database.ts';
import { freePort, type Proc, readyLine, runTs } from './proc.ts';

export type DbKind = 'sqlite' | 'postgresql';
export const ADMIN_PASSWORD = 'test-admin-password';

/** A new, empty database on the PG_TEST_URL server; returns its URL. */
export async function createPgDatabase(): Promise<string> {
  const server = process.env.PG_TEST_URL as string;
  const name = `att_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: server });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}

export type TerminalCreds = { id: string; password: string; url: string };

export class Cluster {
  broker: Proc | undefined;
  backend: Proc | undefined;
  httpPort = 0;
  mqttPort = 0;
  private token = '';
  private constructor(
    readonly dir: string,
    readonly dbUrl: string,
    readonly separateBroker: boolean,
    private readonly env: Record<string, string>,
  ) {}

  static async start(opts: {
    db: DbKind;
    separateBroker?: boolean;
    env?: Record<string, string>;
  }): Promise<Cluster> {
    const dir = mkdtempSync(join(tmpdir(), 'att-e2e-'));
    const dbUrl = opts.db === 'sqlite' ? `file:${join(dir, 'att.db')}` : await createPgDatabase();
    const c = new Cluster(dir, dbUrl, opts.separateBroker ?? false, opts.env ?? {});
    c.mqttPort = await freePort();
    c.httpPort = await freePort();
    if (c.separateBroker) await c.startBroker();
    await c.startBackend();
    await c.login();
    return c;
  }

  get mqttUrl(): string {
    return `mqtt://127.0.0.1:${this.mqttPort}`;
  }

  private baseEnv(): Record<string, string> {
    return {
      DATABASE_URL: this.dbUrl,
      DATA_DIR: this.dir,
      MQTT_PORT: String(this.mqttPort),
      MQTT_HOST: '127.0.0.1',
      HOST: '127.0.0.1',
      PORT: String(this.httpPort),
      ADMIN_PASSWORD,
      ...this.env,
    };
  }

  async startBroker(): Promise<void> {
    this.broker = runTs('broker/main.ts', [], this.baseEnv(), join(this.dir, 'broker.log'));
    await this.broker.waitFor(readyLine);
  }

  async startBackend(): Promise<void> {
    const env = this.baseEnv();
    if (this.separateBroker) env.MQTT_URL = this.mqttUrl;
    this.backend = runTs('backend/main.ts', [], env, join(this.dir, 'backend.log'));
    await this.backend.waitFor(readyLine);
  }

  async api<T>(
    method: string,
    path: string,
    body?: unknown,
    token = this.token,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`http://127.0.0.1:${this.httpPort}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  private async login(): Promise<void> {
    const r = await this.api<{ token: string }>(
      'POST',
      '/api/auth/login',
      { username: 'admin', password: ADMIN_PASSWORD },
      '',
    );
    if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
    this.token = r.body.token;
  }

  async registerTerminal(name: string): Promise<TerminalCreds> {
    const r = await this.api<{ id: string; mqtt: { url: string; password: string } }>(
      'POST',
      '/api/terminals',
      { name },
    );
    if (r.status !== 201) throw new Error(`register failed: ${r.status} ${JSON.stringify(r.body)}`);
    return { id: r.body.id, password: r.body.mqtt.password, url: r.body.mqtt.url };
  }

  async createEmployee(nip: string, name: string): Promise<void> {
    // A start in the past: tests punch days before today (the default start).
    const r = await this.api('POST', '/api/employees', { nip, name, startDate: '2020-01-01' });
    if (r.status !== 201) throw new Error(`employee failed: ${r.status} ${JSON.stringify(r.body)}`);
  }

  kiosk(
    t: TerminalCreds,
    opts: {
      count: number;
      employees: string[];
      rate?: number;
      ackTimeoutMs?: number;
      env?: Record<string, string>;
      url?: string;
    },
  ): Proc {
    return runTs(
      'terminal/main.ts',
      [
        '--id',
        t.id,
        '--secret',
        t.password,
        '--mqtt-url',
        opts.url ?? this.mqttUrl,
        '--data-dir',
        join(this.dir, 'kiosks'),
        '--simulate',
        '--employees',
        opts.employees.join(','),
        '--count',
        String(opts.count),
        '--rate',
        String(opts.rate ?? 0),
        '--ack-timeout-ms',
        String(opts.ackTimeoutMs ?? 3000),
        '--exit-when-drained',
      ],
      opts.env ?? {},
      join(this.dir, `kiosk-${t.id}.log`),
    );
  }

  /** Opens the database from the test process to check what was stored. */
  async query<T>(fn: (prisma: Awaited<ReturnType<typeof openDatabase>>['prisma']) => Promise<T>): Promise<T> {
    const db = await openDatabase(this.dbUrl);
    try {
      return await fn(db.prisma);
    } finally {
      await db.close();
    }
  }

  async stop(): Promise<void> {
    for (const p of [this.backend, this.broker]) {
      if (!p) continue;
      const timer = setTimeout(() => void p.kill('SIGKILL'), 5000);
      await p.kill('SIGTERM');
      clearTimeout(timer);
    }
  }
}
