/**
 * The test and bench harness starts its servers with a clean, explicit environment
 * (test/support/proc.ts, childEnv): a developer's shell that sets the deployment's own variables
 * (ADMIN_USERNAME, ADMIN_PASSWORD, DATABASE_URL, PORT, MQTT_*, ...) changes nothing in them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../support/cluster.ts';
import { childEnv, INHERITED_ENV } from '../support/proc.ts';
import { nip } from '../support/punches.ts';

/** What a developer's shell might export while running the tests. */
const CALLER: Record<string, string> = {
  ADMIN_USERNAME: 'other',
  ADMIN_PASSWORD: 'the-callers-own-password',
  DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none',
  DATA_DIR: '/nonexistent/data',
  PORT: '1',
  HOST: '192.0.2.1',
  MQTT_URL: 'mqtt://127.0.0.1:1',
  MQTT_PORT: '1',
  MQTT_HOST: '192.0.2.1',
  FACE_DESCRIPTOR: 'faceapi',
  TERMINAL_ID: 'someone-elses-kiosk',
};

describe('servers started by the harness ignore the caller’s environment', () => {
  const saved = new Map(Object.keys(CALLER).map((k) => [k, process.env[k]]));
  let c: Cluster | undefined;

  beforeAll(() => {
    Object.assign(process.env, CALLER);
  });
  afterAll(async () => {
    await c?.stop();
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('childEnv passes the machine’s basics and what the test sets, nothing of the deployment', () => {
    expect(process.env.ADMIN_USERNAME).toBe('other');
    const env = childEnv({ PORT: '8081' });
    for (const k of Object.keys(CALLER)) if (k !== 'PORT') expect(env, k).not.toHaveProperty(k);
    expect(env.PORT).toBe('8081');
    expect(env.PATH).toBe(process.env.PATH);
    expect(
      Object.keys(env).every((k) => INHERITED_ENV.includes(k) || k === 'PORT' || k === 'LOG_LEVEL'),
    ).toBe(true);
  });

  it('with ADMIN_USERNAME=other (and more) in the shell, the backend starts where the test says and the login works', async () => {
    expect(process.env.ADMIN_USERNAME).toBe('other');
    // Cluster.start logs in as admin with the test's password, and throws on a 401.
    c = await Cluster.start({ db: 'sqlite' });
    expect(c.httpPort).not.toBe(1);
    const me = await c.api<unknown[]>('GET', '/api/employees');
    expect(me.status).toBe(200);
    await c.createEmployee(nip(71), 'Pegawai Uji');
    // The site's face model is the server default, not the caller's FACE_DESCRIPTOR.
    const sites = await c.api<Array<{ id: string; faceModel: string }>>('GET', '/api/sites');
    expect(sites.body.find((s) => s.id === 'default')?.faceModel).toBe('mfn512');
  });
});
