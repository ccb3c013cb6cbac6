/**
 * A kiosk of a given site that sends many punches at once over MQTT (QoS 1, many in flight, as an
 * outbox drains after an outage) and waits for the backend's acks of all of them.
 */
import type { MqttClient } from 'mqtt';
import { topics } from '../../protocol/index.ts';
import type { Cluster } from '../support/cluster.ts';
import { connect, publish, sleep } from '../support/mqtt.ts';
import { goodEvent } from '../support/punches.ts';

export class BulkKiosk {
  private seq = 0;
  private readonly acked = new Set<string>();
  readonly rejected: string[] = [];

  private constructor(
    readonly id: string,
    private readonly client: MqttClient,
  ) {
    client.on('message', (_topic, payload) => {
      const ack = JSON.parse(payload.toString()) as {
        ids?: string[];
        rejected?: Array<{ id?: string; code: string; reason: string }>;
      };
      for (const id of ack.ids ?? []) this.acked.add(id);
      for (const r of ack.rejected ?? []) this.rejected.push(`${r.id} ${r.code} ${r.reason}`);
    });
  }

  static async connect(c: Cluster, name: string, siteId?: string): Promise<BulkKiosk> {
    const r = await c.api<{ id: string; mqtt: { password: string } }>('POST', '/api/terminals', {
      name,
      ...(siteId ? { siteId } : {}),
    });
    if (r.status !== 201) throw new Error(`terminal: ${r.status} ${JSON.stringify(r.body)}`);
    const client = await connect(c.mqttUrl, {
      clientId: r.body.id,
      username: r.body.id,
      password: r.body.mqtt.password,
    });
    await client.subscribeAsync(topics.ack(r.body.id), { qos: 1 });
    return new BulkKiosk(r.body.id, client);
  }

  /** Sends the punches (`capturedAt` as given, sent now) and resolves once all are acked. */
  async send(punches: ReadonlyArray<{ employeeId: string; at: string }>, timeoutMs = 120_000): Promise<void> {
    const ids: string[] = [];
    const sentAt = new Date().toISOString();
    for (let i = 0; i < punches.length; i += 500) {
      await Promise.all(
        punches.slice(i, i + 500).map((p) => {
          const e = goodEvent(++this.seq, p.employeeId, { capturedAt: p.at, sentAt });
          ids.push(e.id);
          return publish(this.client, topics.event(this.id), JSON.stringify(e));
        }),
      );
    }
    const end = Date.now() + timeoutMs;
    while (ids.some((id) => !this.acked.has(id))) {
      if (this.rejected.length > 0)
        throw new Error(`punches refused: ${this.rejected.slice(0, 3).join('; ')}`);
      if (Date.now() > end) {
        const left = ids.filter((id) => !this.acked.has(id)).length;
        throw new Error(`${left} of ${ids.length} punches never acked`);
      }
      await sleep(100);
    }
  }

  /** The retained status: how many punches the kiosk still holds, and since when. */
  async status(outboxDepth: number, oldestPendingAt?: string): Promise<void> {
    const payload = {
      v: 1,
      state: 'online',
      ts: new Date().toISOString(),
      outboxDepth,
      ...(oldestPendingAt ? { oldestPendingAt } : {}),
    };
    await this.client.publishAsync(topics.status(this.id), JSON.stringify(payload), { qos: 1, retain: true });
  }

  close(): Promise<void> {
    return new Promise((r) => this.client.end(false, {}, () => r()));
  }
}
