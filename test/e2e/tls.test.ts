/** MQTTS: the broker listens with TLS when a certificate and key are configured. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../support/cluster.ts';
import { connect, end } from '../support/mqtt.ts';
import { freePort } from '../support/proc.ts';

describe('MQTT over TLS', () => {
  let c: Cluster;
  let port: number;
  const dir = mkdtempSync(join(tmpdir(), 'att-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        key,
        '-out',
        cert,
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    port = await freePort();
    c = await Cluster.start({
      db: 'sqlite',
      env: { MQTT_TLS_CERT: cert, MQTT_TLS_KEY: key, MQTTS_PORT: String(port) },
    });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('accepts a terminal that trusts the certificate, and still authenticates it', async () => {
    const t = await c.registerTerminal('TLS');
    const ca = readFileSync(cert);
    const ok = await connect(`mqtts://127.0.0.1:${port}`, {
      clientId: t.id,
      username: t.id,
      password: t.password,
      ca,
    });
    expect(ok.connected).toBe(true);
    await end(ok);
    await expect(
      connect(`mqtts://127.0.0.1:${port}`, { clientId: t.id, username: t.id, password: 'wrong', ca }),
    ).rejects.toThrow(/Bad username or password/i);
    // A client that does not trust the certificate does not get through the handshake.
    await expect(
      connect(`mqtts://127.0.0.1:${port}`, { clientId: t.id, username: t.id, password: t.password }),
    ).rejects.toThrow(/self.signed|certificate/i);
  });
});
