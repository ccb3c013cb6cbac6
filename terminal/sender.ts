/**
 * Drains the outbox over MQTT. Unacknowledged punches are published in seq
 * order with at most `window` in flight; an ack from the backend (sent only
 * after its database commit) retires them. On every (re)connect, and when no
 * ack has come for `ackTimeoutMs`, everything still pending is sent again from
 * the lowest seq, with the timeout doubling up to `maxBackoffMs`. The backend
 * stores by event id, so a resend can never double a punch.
 */

import type { Logger } from '../lib/logger.ts';
import { AckPayload, decodePayload, type EventPayload, PROTOCOL_VERSION } from '../protocol/index.ts';
import type { Outbox } from './outbox.ts';

/** Refusals that a resend cannot cure (a VERSION refusal can: by a backend upgrade). */
const CONTENT_REFUSALS: ReadonlySet<string> = new Set(['BAD_JSON', 'SCHEMA', 'TOO_LARGE']);

export interface EventChannel {
  readonly connected: boolean;
  publishEvent(payload: string): void;
}

export type SenderOptions = {
  window?: number;
  ackTimeoutMs?: number;
  maxBackoffMs?: number;
  log: Logger;
  now?: () => Date;
  onDrained?: () => void;
  onServerTime?: (serverTime: Date, receivedAt: Date) => void;
};

export class OutboxSender {
  private inflight = new Map<string, number>(); // event id → seq
  private lastSentSeq = 0;
  private lastProgressAt = 0;
  private timeoutMs: number;
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  private readonly window: number;
  private readonly now: () => Date;
  stats = { published: 0, acked: 0, resends: 0 };

  constructor(
    private readonly outbox: Outbox,
    private readonly channel: EventChannel,
    private readonly opts: SenderOptions,
  ) {
    this.window = opts.window ?? 500;
    this.timeoutMs = opts.ackTimeoutMs ?? 10_000;
    this.now = opts.now ?? (() => new Date());
  }

  start(): void {
    this.timer = setInterval(() => this.checkTimeout(), Math.min(1000, this.timeoutMs / 2));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** On (re)connect: nothing in flight is known to have arrived; start over from the lowest pending seq. */
  onConnect(): void {
    this.restart();
  }

  /** A punch was added to the outbox. */
  notify(): void {
    this.pump();
  }

  onAck(raw: Buffer): void {
    const d = decodePayload(AckPayload, raw, 1 << 20);
    if (!d.ok) {
      this.opts.log.warn({ code: d.code, reason: d.reason }, 'bad ack ignored');
      return;
    }
    this.opts.onServerTime?.(new Date(d.value.serverTime), this.now());
    for (const r of d.value.rejected ?? []) {
      this.opts.log.error({ id: r.id, code: r.code, reason: r.reason }, 'backend rejected a message');
      // Refused for its content, a punch will never be accepted as it is: set it aside (kept in the
      // file, counted in the status) so that it neither blocks nor holds the site's days Pending.
      if (r.id && CONTENT_REFUSALS.has(r.code) && this.outbox.quarantine(r.id, `${r.code}: ${r.reason}`)) {
        this.inflight.delete(r.id);
      }
    }
    if (d.value.ids.length === 0) return;
    const newly = this.outbox.ack(d.value.ids);
    this.stats.acked += newly;
    for (const id of d.value.ids) this.inflight.delete(id);
    this.lastProgressAt = Date.now();
    this.timeoutMs = this.opts.ackTimeoutMs ?? 10_000;
    this.pump();
    if (this.inflight.size === 0 && this.outbox.depth() === 0) this.opts.onDrained?.();
  }

  private restart(): void {
    this.inflight.clear();
    this.lastSentSeq = 0;
    this.lastProgressAt = Date.now();
    this.pump();
  }

  private checkTimeout(): void {
    if (this.inflight.size === 0 || !this.channel.connected) return;
    if (Date.now() - this.lastProgressAt < this.timeoutMs) return;
    this.stats.resends++;
    this.opts.log.info(
      { inflight: this.inflight.size, timeoutMs: this.timeoutMs },
      'no ack in time; resending',
    );
    this.timeoutMs = Math.min(this.timeoutMs * 2, this.opts.maxBackoffMs ?? 300_000);
    this.restart();
  }

  private pump(): void {
    if (this.pumping || !this.channel.connected) return;
    this.pumping = true;
    try {
      while (this.inflight.size < this.window) {
        const batch = this.outbox.pending(this.lastSentSeq, this.window - this.inflight.size, (seq, why) =>
          this.opts.log.error({ seq, reason: why }, 'unreadable punch in the outbox set aside'),
        );
        if (batch.length === 0) break;
        const sentAt = this.now().toISOString();
        for (const p of batch) {
          const payload: EventPayload = { v: PROTOCOL_VERSION, ...p, sentAt };
          if (this.inflight.size === 0) this.lastProgressAt = Date.now();
          this.inflight.set(p.id, p.seq);
          this.lastSentSeq = p.seq;
          this.channel.publishEvent(JSON.stringify(payload));
          this.stats.published++;
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}
