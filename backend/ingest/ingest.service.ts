import { excerptOf, type RejectionSink } from '../../broker/ports.ts';
import type { Logger } from '../../lib/logger.ts';
import {
  type AckPayload,
  decodePayload,
  EventPayload,
  MAX_EVENT_BYTES,
  PROTOCOL_VERSION,
  parseTopic,
} from '../../protocol/index.ts';
import { clockSkewOf } from './clock-skew.ts';
import { type Refusal, refusalFor } from './ingest-refusal.ts';
import type { AckPublisher, EventRow, EventStore } from './ports.ts';

export type IngestOptions = {
  store: EventStore;
  rejections: RejectionSink;
  acks: AckPublisher;
  log: Logger;
  now?: () => Date;
  /** |receivedAt − sentAt| above this flags the event's clock as skewed (the whole rule: clock-skew.ts). */
  skewToleranceMs?: number;
  maxBatch?: number;
  /** Called after each commit with the rows that were new (e.g. to recompute those employees' days). */
  onCommitted?: (rows: EventRow[]) => void;
  /** Messages waiting beyond this (the database is down and kiosks keep resending) are dropped, oldest first: none was acked, so every kiosk sends them again. */
  maxQueue?: number;
};

type Incoming = { topic: string; payload: Buffer; receivedAt: Date };

/**
 * Turns event messages into committed rows and acks. Messages are queued as
 * they arrive and written in batches, one batch at a time: while a batch
 * commits the next one fills, so throughput grows with load instead of
 * paying a round trip per punch. The ack for a batch is published only after
 * its commit, so an ack always means "stored".
 */
export class IngestService {
  private queue: Incoming[] = [];
  private running = false;
  private readonly known = new Set<string>();
  private readonly now: () => Date;
  private readonly skewToleranceMs: number;
  private readonly maxBatch: number;
  private idle: Array<() => void> = [];
  stats = { stored: 0, duplicates: 0, rejected: 0, batches: 0, failures: 0, shed: 0 };

  constructor(private readonly opts: IngestOptions) {
    this.now = opts.now ?? (() => new Date());
    this.skewToleranceMs = opts.skewToleranceMs ?? 120_000;
    this.maxBatch = opts.maxBatch ?? 1000;
  }

  /** Called for every message on `att/v1/t/+/event`; never throws. */
  accept(topic: string, payload: Buffer): void {
    this.queue.push({ topic, payload, receivedAt: this.now() });
    if (this.queue.length > (this.opts.maxQueue ?? 200_000)) {
      this.queue.shift();
      this.stats.shed++;
    }
    if (!this.running) {
      this.running = true;
      setImmediate(() => void this.drain());
    }
  }

  /** Resolves when everything accepted so far has been processed. */
  settled(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await this.processBatch(batch);
      } catch (err) {
        // The database is down or refused the batch: nothing was acked, so
        // the kiosks will resend. Back off a little instead of spinning.
        this.stats.failures++;
        this.opts.log.error({ err, size: batch.length }, 'batch failed; kiosks will resend');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    this.running = false;
    for (const r of this.idle.splice(0)) r();
  }

  private async processBatch(batch: Incoming[]): Promise<void> {
    this.stats.batches++;
    const rows = new Map<string, EventRow>();
    const ackIds = new Map<string, string[]>();
    const refusals = new Map<string, Refusal[]>();
    const addTo = <T>(m: Map<string, T[]>, k: string, v: T) => {
      const list = m.get(k);
      if (list) list.push(v);
      else m.set(k, [v]);
    };

    for (const msg of batch) {
      const t = parseTopic(msg.topic);
      if (t.kind !== 'terminal' || t.leaf !== 'event') {
        this.reject(msg, undefined, { code: 'TOPIC', reason: `not an event topic: ${msg.topic}` });
        continue;
      }
      const d = decodePayload(EventPayload, msg.payload, MAX_EVENT_BYTES);
      if (!d.ok) {
        const refusal: Refusal = { code: d.code, reason: d.reason, ...(d.id ? { id: d.id } : {}) };
        this.reject(msg, t.terminalId, refusal);
        addTo(refusals, t.terminalId, refusal);
        continue;
      }
      const e = d.value;
      let row: EventRow;
      try {
        row = this.toRow(t.terminalId, e, msg.receivedAt);
      } catch (err) {
        // A catalogued error refuses this one message; anything else fails the batch (resent).
        const r = refusalFor(err);
        if (!r) throw err;
        const refusal: Refusal = { ...r, id: e.id };
        this.reject(msg, t.terminalId, refusal);
        addTo(refusals, t.terminalId, refusal);
        continue;
      }
      addTo(ackIds, t.terminalId, e.id);
      if (rows.has(e.id)) continue; // the same punch twice in one batch
      rows.set(e.id, row);
    }

    if (rows.size > 0) {
      await this.flagUnknownEmployees([...rows.values()]);
      const inserted = await this.insertWithRetry([...rows.values()]);
      this.stats.stored += inserted.size;
      this.stats.duplicates += rows.size - inserted.size;
      if (inserted.size > 0 && this.opts.onCommitted) {
        const fresh = [...rows.values()].filter((r) => inserted.has(r.id));
        try {
          this.opts.onCommitted(fresh);
        } catch (err) {
          this.opts.log.error({ err }, 'onCommitted hook failed');
        }
      }
    }
    await this.publishAcks(ackIds, refusals);
  }

  /** A decoded punch as it is stored, with the clock checks measured on arrival. */
  private toRow(terminalId: string, e: EventPayload, receivedAt: Date): EventRow {
    const capturedAt = new Date(e.capturedAt);
    // The rule (what is skew, what is an implausible capture time) is in clock-skew.ts.
    const { skewMs, clockSkew } = clockSkewOf(e, receivedAt, this.skewToleranceMs);
    return {
      id: e.id,
      terminalId,
      seq: e.seq,
      employeeId: e.employeeId,
      method: e.method,
      capturedAt,
      receivedAt,
      score: e.score ?? null,
      distance: e.distance ?? null,
      clockSynced: e.clock.synced,
      clockOffsetMs: e.clock.offsetMs ?? null,
      skewMs,
      liveness: e.liveness ? JSON.stringify(e.liveness) : null,
      unknownEmployee: false,
      clockSkew,
    };
  }

  /**
   * A locked database (SQLite: another connection of this process mid-transaction) or a
   * dropped connection is usually gone in a moment: retry a few times, asynchronously, so
   * the other transaction can finish, before giving the batch up to the kiosks' resend.
   */
  private async insertWithRetry(rows: EventRow[]): Promise<Set<string>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.opts.store.insertEvents(rows);
      } catch (err) {
        if (attempt >= 5) throw err;
        this.opts.log.warn({ err: (err as Error).message, attempt }, 'insert failed; retrying');
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }

  private async flagUnknownEmployees(rows: EventRow[]): Promise<void> {
    const missing = [...new Set(rows.map((r) => r.employeeId).filter((n) => !this.known.has(n)))];
    if (missing.length > 0) {
      for (const nip of await this.opts.store.knownEmployees(missing)) this.known.add(nip);
    }
    for (const r of rows) r.unknownEmployee = !this.known.has(r.employeeId);
  }

  /** An employee created or deleted since: forget what we cached. */
  forgetEmployees(): void {
    this.known.clear();
  }

  private async publishAcks(ackIds: Map<string, string[]>, refusals: Map<string, Refusal[]>): Promise<void> {
    const serverTime = this.now().toISOString();
    const terminals = new Set([...ackIds.keys(), ...refusals.keys()]);
    await Promise.all(
      [...terminals].map((tid) => {
        const payload: AckPayload = { v: PROTOCOL_VERSION, ids: ackIds.get(tid) ?? [], serverTime };
        const refused = refusals.get(tid);
        if (refused) payload.rejected = refused;
        return this.opts.acks.publishAck(tid, JSON.stringify(payload)).catch((err: unknown) => {
          // Not fatal: the kiosk resends and gets acked again as a duplicate.
          this.opts.log.warn({ err, terminalId: tid }, 'ack publish failed');
        });
      }),
    );
  }

  private reject(msg: Incoming, terminalId: string | undefined, r: Refusal): void {
    this.stats.rejected++;
    this.opts.log.warn({ topic: msg.topic, code: r.code, reason: r.reason }, 'event rejected');
    this.opts.rejections.record({
      source: 'ingest',
      terminalId,
      topic: msg.topic,
      code: r.code,
      reason: r.reason,
      size: msg.payload.length,
      excerpt: excerptOf(msg.payload),
    });
  }
}
