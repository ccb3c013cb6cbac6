import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { Logger } from '../lib/logger.ts';
import { ConfigPayload, decodePayload, PROTOCOL_VERSION, type StatusPayload } from '../protocol/index.ts';
import { KioskClock } from './clock.ts';
import { MqttLink } from './mqtt-link.ts';
import { Outbox, type StoredPunch } from './outbox.ts';
import type { PunchSource, Recognition } from './punch-source.ts';
import { OutboxSender } from './sender.ts';

export type KioskConfig = {
  terminalId: string;
  secret: string;
  mqttUrl: string;
  siteId?: string | undefined;
  dataDir: string;
  ackTimeoutMs?: number;
  statusIntervalMs?: number;
  /** Test-only fault injection at the one point the delivery guarantee hinges on. */
  fault?: 'crash-after-outbox-write' | undefined;
};

export class Kiosk {
  readonly outbox: Outbox;
  readonly link: MqttLink;
  readonly sender: OutboxSender;
  readonly clock = new KioskClock();
  private statusTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private drainedWaiters: Array<() => void> = [];
  config: ConfigPayload | undefined;

  constructor(
    private readonly cfg: KioskConfig,
    private readonly log: Logger,
  ) {
    this.outbox = new Outbox(join(cfg.dataDir, `outbox-${cfg.terminalId}.db`));
    this.link = new MqttLink({
      url: cfg.mqttUrl,
      terminalId: cfg.terminalId,
      secret: cfg.secret,
      siteId: cfg.siteId,
      log,
    });
    this.sender = new OutboxSender(this.outbox, this.link, {
      log,
      ackTimeoutMs: cfg.ackTimeoutMs ?? 10_000,
      onServerTime: (s, r) => this.clock.observeServerTime(s, r),
      onDrained: () => {
        for (const w of this.drainedWaiters.splice(0)) w();
      },
    });
  }

  start(): void {
    this.link.on('connect', () => {
      this.log.info('connected');
      this.link.publishStatus(this.status());
      this.sender.onConnect();
    });
    this.link.on('close', () => this.log.debug('disconnected'));
    this.link.on('ack', (p) => this.sender.onAck(p));
    this.link.on('config', (p, retained) => this.onConfig(p, retained));
    this.link.start();
    this.sender.start();
    this.statusTimer = setInterval(() => {
      if (this.link.connected) this.link.publishStatus(this.status());
    }, this.cfg.statusIntervalMs ?? 30_000);
    this.statusTimer.unref();
    // Acknowledged punches stay a week for local audit, then go.
    const prune = () => {
      const n = this.outbox.prune(7 * 24 * 3600_000);
      if (n > 0) this.log.info({ pruned: n }, 'pruned acknowledged punches');
    };
    prune();
    this.pruneTimer = setInterval(prune, 3600_000);
    this.pruneTimer.unref();
  }

  private onConfig(raw: Buffer, retained: boolean): void {
    const d = decodePayload(ConfigPayload, raw, 65_536);
    if (!d.ok) {
      this.log.warn({ code: d.code, reason: d.reason }, 'bad config ignored');
      return;
    }
    this.config = d.value;
    if (!retained) this.clock.observeServerTime(new Date(d.value.serverTime), this.clock.now());
    this.log.info({ timeZone: d.value.timeZone, siteId: d.value.siteId }, 'config received');
  }

  /** Commits a recognition to the outbox; only after this returns may the screen say "recorded". */
  punch(rec: Recognition): StoredPunch {
    const stored = this.outbox.add({
      id: uuidv7(),
      employeeId: rec.employeeId,
      method: rec.method,
      capturedAt: this.clock.now().toISOString(),
      clock: this.clock.state(),
      ...(rec.score !== undefined ? { score: rec.score } : {}),
      ...(rec.distance !== undefined ? { distance: rec.distance } : {}),
    });
    if (this.cfg.fault === 'crash-after-outbox-write') {
      this.log.warn({ id: stored.id, seq: stored.seq }, 'fault injection: SIGKILL after outbox write');
      process.kill(process.pid, 'SIGKILL');
    }
    this.sender.notify();
    return stored;
  }

  async run(source: PunchSource): Promise<number> {
    let n = 0;
    for await (const rec of source.recognitions()) {
      this.punch(rec);
      n++;
    }
    return n;
  }

  /** Resolves once every punch in the outbox is acknowledged. */
  drained(): Promise<void> {
    if (this.outbox.depth() === 0) return Promise.resolve();
    return new Promise((r) => this.drainedWaiters.push(r));
  }

  status(): StatusPayload {
    const oldest = this.outbox.oldestPendingAt();
    return {
      v: PROTOCOL_VERSION,
      state: 'online',
      ts: this.clock.now().toISOString(),
      outboxDepth: this.outbox.depth(),
      ...(oldest ? { oldestPendingAt: oldest.toISOString() } : {}),
      clock: this.clock.state(),
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.statusTimer);
    clearInterval(this.pruneTimer);
    this.sender.stop();
    if (this.link.connected) this.link.publishStatus({ ...this.status(), state: 'offline' });
    await this.link.stop();
    this.outbox.close();
  }
}
