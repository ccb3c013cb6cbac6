import mqtt, { type IClientPublishOptions, type MqttClient } from 'mqtt';
import { SERVICE_USERNAME } from '../../broker/credentials.ts';
import type { Logger } from '../../lib/logger.ts';
import { decodePayload, parseTopic, type RejectCode, StatusPayload, topics } from '../../protocol/index.ts';
import type { AckPublisher } from './ports.ts';

export type ServiceLinkOptions = {
  url: string;
  secret: string;
  instanceId: string;
  log: Logger;
  onEvent: (topic: string, payload: Buffer) => void;
  /** A kiosk's status (or last will) as the protocol defines it. */
  onStatus: (terminalId: string, status: StatusPayload) => void;
  /** A status that is not one: refused, never stored (#12: one made GET /api/terminals fail). */
  onBadStatus: (
    terminalId: string,
    topic: string,
    refusal: { code: RejectCode; reason: string },
    raw: Buffer,
  ) => void;
};

/** The backend's MQTT connection: receives every terminal's events and status, sends acks. */
export class ServiceLink implements AckPublisher {
  private client: MqttClient | undefined;
  constructor(private readonly o: ServiceLinkOptions) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  start(): Promise<void> {
    return new Promise((resolve) => {
      const client = mqtt.connect(this.o.url, {
        clientId: `svc.${this.o.instanceId}`,
        username: SERVICE_USERNAME,
        password: this.o.secret,
        // A persistent session: while this backend restarts, a still-running broker keeps its QoS 1 messages.
        clean: false,
        reconnectPeriod: 1000,
      });
      this.client = client;
      client.on('connect', () => {
        this.o.log.info({ url: this.o.url }, 'service link connected');
        client.subscribe([topics.allEvents, topics.allStatus], { qos: 1 }, (err) => {
          if (err) this.o.log.error({ err: err.message }, 'subscribe failed');
          resolve();
        });
      });
      client.on('error', (err) => this.o.log.warn({ err: err.message }, 'service link error'));
      client.on('message', (topic, payload) => {
        const t = parseTopic(topic);
        if (t.kind === 'terminal' && t.leaf === 'status') {
          const d = decodePayload(StatusPayload, payload, 16_384);
          if (d.ok) this.o.onStatus(t.terminalId, d.value);
          else this.o.onBadStatus(t.terminalId, topic, d, payload);
        } else {
          this.o.onEvent(topic, payload);
        }
      });
    });
  }

  publishAck(terminalId: string, payload: string): Promise<void> {
    return this.publish(topics.ack(terminalId), payload, { qos: 1 });
  }

  /** Retained, so a kiosk gets it on every (re)connect. */
  publishConfig(terminalId: string, payload: string): Promise<void> {
    return this.publish(topics.config(terminalId), payload, { qos: 1, retain: true });
  }

  publishGallery(siteId: string, payload: string): Promise<void> {
    return this.publish(topics.gallery(siteId), payload, { qos: 1, retain: true });
  }

  private publish(topic: string, payload: string, opts: IClientPublishOptions): Promise<void> {
    const c = this.client;
    if (!c) return Promise.reject(new Error('not started'));
    return new Promise((resolve, reject) => {
      c.publish(topic, payload, opts, (err) => (err ? reject(err) : resolve()));
    });
  }

  async stop(): Promise<void> {
    const c = this.client;
    if (c) await new Promise<void>((r) => c.end(false, {}, () => r()));
  }
}
