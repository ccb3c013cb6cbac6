/** Helpers shared by the rules end-to-end tests (test/e2e/rules-*.test.ts). */
import type { MqttClient } from 'mqtt';
import { type EventPayload, topics } from '../../protocol/index.ts';
import { ADMIN_PASSWORD, type Cluster, type TerminalCreds } from '../support/cluster.ts';
import { connect, publish, until } from '../support/mqtt.ts';
import { goodEvent } from '../support/punches.ts';

export type Err = { error: { code: string; message: string } };

export type Day = {
  employeeId: string;
  workDate: string;
  status: string;
  codes: string[];
  lateMinutes: number | null;
  earlyMinutes: number | null;
  deductionBp: number;
  provisional: boolean;
  reasons: Array<{ code: string; text: string; ref?: string }>;
  arrival: string | null;
  departure: string | null;
  /** The day's punches the rules did not use, with their reason. */
  ignoredPunches: Array<{
    at: string;
    eventId: string | null;
    terminalId?: string;
    correctionId?: string;
    reason: string;
    text: string;
  }>;
};

/** A WIB wall-clock instant: '2026-11-04', '08:45' → '2026-11-04T08:45:00.000+07:00'. */
export const wib = (date: string, hhmm: string) => `${date}T${hhmm}:00.000+07:00`;

/** A kiosk's MQTT connection, publishing punches and statuses as the real one does. */
export class FakeKiosk {
  private seq = 0;
  private constructor(
    readonly terminal: TerminalCreds,
    private readonly client: MqttClient,
  ) {}

  static async connect(c: Cluster, name: string): Promise<FakeKiosk> {
    const t = await c.registerTerminal(name);
    const client = await connect(c.mqttUrl, { clientId: t.id, username: t.id, password: t.password });
    return new FakeKiosk(t, client);
  }

  /** A punch captured at `capturedAt` (kiosk clock), sent now (as after an outage). */
  async punch(nip: string, capturedAt: string, over: Partial<EventPayload> = {}): Promise<string> {
    const e = goodEvent(++this.seq, nip, { capturedAt, sentAt: new Date().toISOString(), ...over });
    await publish(this.client, topics.event(this.terminal.id), JSON.stringify(e));
    return e.id;
  }

  /** The retained status with the outbox depth and oldest unsent punch. */
  status(outboxDepth: number, oldestPendingAt?: string): Promise<void> {
    const payload = {
      v: 1,
      state: 'online',
      ts: new Date().toISOString(),
      outboxDepth,
      ...(oldestPendingAt ? { oldestPendingAt } : {}),
    };
    return new Promise((resolve, reject) =>
      this.client.publish(
        topics.status(this.terminal.id),
        JSON.stringify(payload),
        { qos: 1, retain: true },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }

  /** Waits until the backend has stored a status with this outbox depth. */
  async statusStored(c: Cluster, outboxDepth: number): Promise<void> {
    const ok = await until(async () => {
      const r = await c.api<Array<{ id: string; lastStatus: { outboxDepth?: number } | null }>>(
        'GET',
        '/api/terminals',
      );
      return r.body.find((t) => t.id === this.terminal.id)?.lastStatus?.outboxDepth === outboxDepth;
    }, 10_000);
    if (!ok) throw new Error(`status with outboxDepth ${outboxDepth} never stored`);
  }

  close(): Promise<void> {
    return new Promise((r) => this.client.end(false, {}, () => r()));
  }
}

export async function dayOf(c: Cluster, nip: string, date: string, token?: string): Promise<Day | undefined> {
  const r = await c.api<Day[]>(
    'GET',
    `/api/attendance?employeeId=${nip}&from=${date}&to=${date}`,
    undefined,
    token,
  );
  if (r.status !== 200) throw new Error(`GET /api/attendance: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body[0];
}

/** Waits until the stored day satisfies `pred`; returns it (or fails with the last one seen). */
export async function waitDay(
  c: Cluster,
  nip: string,
  date: string,
  pred: (d: Day) => boolean,
): Promise<Day> {
  let last: Day | undefined;
  const ok = await until(
    async () => {
      last = await dayOf(c, nip, date);
      return last !== undefined && pred(last);
    },
    20_000,
    150,
  );
  if (!ok || !last) throw new Error(`day ${nip} ${date} never matched; last: ${JSON.stringify(last)}`);
  return last;
}

export async function recompute(
  c: Cluster,
  body: { from: string; to: string; employeeId?: string; unitId?: string },
) {
  const r = await c.api<{ written: number }>('POST', '/api/attendance/recompute', body);
  if (r.status !== 200) throw new Error(`recompute: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function loginAs(
  c: Cluster,
  username: string,
  role: 'OPD_ADMIN' | 'SUPERVISOR' | 'BKD',
  unitId?: string,
): Promise<string> {
  const password = `${username}-password-1`;
  const u = await c.api('POST', '/api/users', { username, password, role, ...(unitId ? { unitId } : {}) });
  if (u.status !== 201) throw new Error(`user: ${u.status} ${JSON.stringify(u.body)}`);
  const r = await c.api<{ token: string }>('POST', '/api/auth/login', { username, password }, '');
  return r.body.token;
}

/** A request whose answer is not JSON (CSV), as the admin. */
export async function rawGet(
  c: Cluster,
  path: string,
): Promise<{ status: number; type: string; text: string }> {
  const login = await c.api<{ token: string }>(
    'POST',
    '/api/auth/login',
    { username: 'admin', password: ADMIN_PASSWORD },
    '',
  );
  const res = await fetch(`http://127.0.0.1:${c.httpPort}${path}`, {
    headers: { authorization: `Bearer ${login.body.token}` },
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

export async function createEmployeeIn(c: Cluster, nip: string, name: string, unitId: string): Promise<void> {
  const r = await c.api('POST', '/api/employees', { nip, name, unitId, startDate: '2020-01-01' });
  if (r.status !== 201) throw new Error(`employee: ${r.status} ${JSON.stringify(r.body)}`);
}
