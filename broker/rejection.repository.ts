import type { Db } from '../lib/db/database-client.ts';
import type { Logger } from '../lib/logger.ts';
import type { Rejection, RejectionSink } from './ports.ts';

/**
 * The rejected_message table, shared by the broker (refused publishes) and the backend's ingest
 * (refused punches). Records refused messages without ever blocking the caller: entries are
 * buffered and written in batches. If the database is down the buffer is
 * kept (up to `maxBuffered`, then the oldest are counted and dropped, so a
 * flood of garbage cannot exhaust memory).
 */
export class RejectionRepository implements RejectionSink {
  private buffer: Rejection[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  dropped = 0;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly flushMs = 100,
    private readonly maxBuffered = 50_000,
  ) {}

  record(r: Rejection): void {
    this.buffer.push(r);
    if (this.buffer.length > this.maxBuffered) {
      this.buffer.shift();
      this.dropped++;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  async flush(): Promise<void> {
    if (this.flushing !== undefined) await this.flushing;
    this.timer = undefined;
    const batch = this.buffer.splice(0);
    if (batch.length === 0) return;
    // Through then(): a client that is not open yet (broker/deferred-database.ts) throws at once,
    // and that too must keep the batch for the retry.
    this.flushing = Promise.resolve()
      .then(() =>
        this.db.prisma.rejectedMessage.createMany({
          data: batch.map((r) => ({
            source: r.source,
            clientId: r.clientId ?? null,
            terminalId: r.terminalId ?? null,
            topic: r.topic ?? null,
            code: r.code,
            reason: r.reason.slice(0, 1000),
            size: r.size,
            excerpt: r.excerpt ?? null,
          })),
        }),
      )
      .then(
        () => undefined,
        (err: unknown) => {
          this.log.error({ err, n: batch.length }, 'could not record rejections; will retry');
          this.buffer.unshift(...batch);
          if (!this.timer) {
            this.timer = setTimeout(() => void this.flush(), 1000);
            this.timer.unref();
          }
        },
      );
    await this.flushing;
    this.flushing = undefined;
  }

  list(take: number) {
    return this.db.prisma.rejectedMessage.findMany({ orderBy: { id: 'desc' }, take });
  }
}
