/**
 * The backend's start and stop as a person sees them, on the real process: a bad environment is one
 * fatal line (JSON when piped, readable lines with LOG_FORMAT=pretty) and exit 1; a port in use says
 * which setting to change; SIGTERM with a kiosk connected stops cleanly (issue #12: it hung), with
 * one "stopped cleanly" line and exit 0; and the database sits in DATA_DIR.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../support/cluster.ts';
import { connect } from '../support/mqtt.ts';
import { freePort, type Proc, readyLine, runTs } from '../support/proc.ts';

const dir = mkdtempSync(join(tmpdir(), 'att-start-stop-'));
const procs: Proc[] = [];

/** The backend on loopback with its data in `dataDir`; DATABASE_URL unset (an empty value counts as unset). */
async function backend(env: Record<string, string>, name: string, dataDir = join(dir, name)): Promise<Proc> {
  const p = runTs(
    'backend/main.ts',
    [],
    {
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      MQTT_HOST: '127.0.0.1',
      PORT: String(await freePort()),
      MQTT_PORT: String(await freePort()),
      ADMIN_PASSWORD,
      LOG_FORMAT: '',
      ...env,
    },
    join(dir, `${name}.log`),
  );
  procs.push(p);
  return p;
}

/** Waits for the exit, failing (instead of hanging) when the process is still there after `ms`. */
async function exitOf(p: Proc, ms = 30_000): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<string>((r) => {
    timer = setTimeout(() => r('still running'), ms);
  });
  try {
    return await Promise.race([p.exited, hung]);
  } finally {
    clearTimeout(timer);
  }
}

afterAll(async () => {
  for (const p of procs) await p.kill('SIGKILL');
});

describe('backend start and stop', () => {
  it('a bad environment, piped: one JSON fatal line listing every problem, exit 1', async () => {
    const p = await backend({ PORT: '99999', AUTH_SECRET: 'short' }, 'bad-env-json');
    expect(await exitOf(p)).toBe(1);
    const objects = p.lines
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const fatal = objects.find((o) => o.level === 60);
    expect(fatal?.msg).toBe('could not start: invalid configuration');
    const problems = fatal?.problems as string[];
    expect(problems.some((x) => x.startsWith('PORT: '))).toBe(true);
    expect(problems.some((x) => x.startsWith('AUTH_SECRET: '))).toBe(true);
  });

  it('a bad environment with LOG_FORMAT=pretty: readable lines, exit 1', async () => {
    const p = await backend({ PORT: '99999', AUTH_SECRET: 'short', LOG_FORMAT: 'pretty' }, 'bad-env-pretty');
    expect(await exitOf(p)).toBe(1);
    const text = p.lines.join('\n');
    expect(text).toMatch(/^\d\d:\d\d:\d\d\.\d{3} FATAL main: could not start: invalid configuration$/m);
    expect(text).toMatch(/^ {6}- PORT: .+$/m);
    expect(text).toMatch(/^ {6}- AUTH_SECRET: .+$/m);
    expect(p.lines.some((l) => l.startsWith('{'))).toBe(false);
    expect(text).not.toContain('\\n');
  });

  it('a port in use: says which port and which setting to change, exit 1', async () => {
    const squatter: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      squatter.listen(0, '127.0.0.1', () => resolve((squatter.address() as { port: number }).port)),
    );
    try {
      const p = await backend({ PORT: String(port), LOG_FORMAT: 'pretty' }, 'port-in-use');
      expect(await exitOf(p, 90_000)).toBe(1);
      const fatal = p.lines.find((l) => l.includes(' FATAL '));
      expect(fatal).toContain(`could not start: port ${port} on 127.0.0.1 is in use`);
      expect(fatal).toContain('set PORT to another port');
    } finally {
      squatter.close();
    }
  });

  it('keeps its database in DATA_DIR; SIGTERM (twice) with a kiosk connected stops cleanly with exit 0', async () => {
    const data = join(dir, 'data-dir');
    const p = await backend({}, 'clean-stop', data);
    const ready = JSON.parse(await p.waitFor(readyLine, 90_000)) as { httpPort: number; mqttPort: number };
    expect(existsSync(join(data, 'attendance.db'))).toBe(true);

    const api = `http://127.0.0.1:${ready.httpPort}`;
    const login = await fetch(`${api}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const reg = await fetch(`${api}/api/terminals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'Gerbang' }),
    });
    const t = (await reg.json()) as { id: string; mqtt: { password: string } };
    // Like a kiosk: connected, and reconnecting whenever it is dropped.
    const kiosk = await connect(`mqtt://127.0.0.1:${ready.mqttPort}`, {
      clientId: t.id,
      username: t.id,
      password: t.mqtt.password,
      reconnectPeriod: 200,
    });
    try {
      // Twice, as a Ctrl-C under `npm start` arrives (the terminal and npm both signal): one stop.
      p.child.kill('SIGTERM');
      p.child.kill('SIGTERM');
      expect(await exitOf(p)).toBe(0);
    } finally {
      kiosk.end(true);
    }
    const last = JSON.parse(p.lines.filter((l) => l.startsWith('{"level"')).at(-1) ?? '{}') as {
      msg?: string;
      reason?: string;
    };
    expect(last).toMatchObject({ msg: 'stopped cleanly', reason: 'SIGTERM' });
  });
});
