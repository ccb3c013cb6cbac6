/**
 * The kiosk's only connection to the outside world: one mqtt.js client with
 * the terminal's credentials, its LWT, and its own topics.
 */
import { EventEmitter } from 'node:events';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../lib/logger.ts';
import { OFFLINE_STATUS, type StatusPayload, topics } from '../protocol/index.ts';

export type LinkOptions = {
  url: string;
  terminalId: string;
  secret: string;
  siteId?: string | undefined;
  log: Logger;
  reconnectPeriodMs?: number;
  /** TLS: trust this CA (PEM) for mqtts. */
  ca?: Buffer | undefined;
};

type LinkEvents = {
  connect: [];
  close: [];
  ack: [Buffer];
  /** `retained`: a stored copy from the broker, whose serverTime is stale. */
  config: [Buffer, boolean];
  gallery: [Buffer];
};

export class MqttLink extends EventEmitter<LinkEvents> {
  private client: MqttClient | undefined;
  /** Connected *and* subscribed: publishing before the ack subscription is in place would lose acks. */
  private ready = false;
  constructor(private readonly opts: LinkOptions) {
    super();
  }

  get connected(): boolean {
    return this.ready && (this.client?.connected ?? false);
  }

  start(): void {
    const { terminalId, siteId } = this.opts;
    const client = mqtt.connect(this.opts.url, {
      clientId: terminalId,
      username: terminalId,
      password: this.opts.secret,
      clean: true,
      reconnectPeriod: this.opts.reconnectPeriodMs ?? 2000,
      connectTimeout: 10_000,
      // The outbox resends; mqtt.js must not keep its own unbounded copy while offline.
      queueQoSZero: false,
      ...(this.opts.ca ? { ca: this.opts.ca } : {}),
      will: {
        topic: topics.status(terminalId),
        payload: Buffer.from(JSON.stringify(OFFLINE_STATUS)),
        qos: 1,
        retain: true,
      },
    });
    this.client = client;
    client.on('connect', () => {
      const subs = [topics.ack(terminalId), topics.config(terminalId)];
      if (siteId) subs.push(topics.gallery(siteId));
      client.subscribe(subs, { qos: 1 }, (err) => {
        if (err) this.opts.log.warn({ err: err.message }, 'subscribe failed');
        this.ready = true;
        this.emit('connect');
      });
    });
    client.on('close', () => {
      this.ready = false;
      this.emit('close');
    });
    client.on('error', (err) => this.opts.log.warn({ err: err.message }, 'mqtt error'));
    client.on('message', (topic, payload, packet) => {
      if (topic === topics.ack(terminalId)) this.emit('ack', payload);
      else if (topic === topics.config(terminalId)) this.emit('config', payload, packet.retain);
      else if (siteId && topic === topics.gallery(siteId)) this.emit('gallery', payload);
    });
  }

  /** Fire-and-forget QoS 1 publish; delivery is confirmed by the backend's ack, not by PUBACK. */
  publishEvent(payload: string): void {
    this.client?.publish(topics.event(this.opts.terminalId), payload, { qos: 1 });
  }

  publishStatus(status: StatusPayload): void {
    this.client?.publish(topics.status(this.opts.terminalId), JSON.stringify(status), {
      qos: 1,
      retain: true,
    });
  }

  async stop(): Promise<void> {
    const c = this.client;
    if (!c) return;
    await new Promise<void>((r) => c.end(false, {}, () => r()));
  }
}
