import type { Db } from '../lib/db/database-client.ts';
import type { Logger } from '../lib/logger.ts';
import type { Rejection, RejectionSink } from './ports.ts';

/**
 * Text as a database column takes it: PostgreSQL refuses U+0000 in text, and one such character in a
 * refused payload's excerpt failed every retry of its whole batch, so no refusal was recorded from
 * then on (#12, found by test/e2e/ingest-fuzz.test.ts). Shown as U+FFFD instead.
 */
export function storableText(s: string): string {
  return s.replaceAll('\u0000', '\ufffd');
}

const textOrNull = (s: string | undefined) => (s === undefined ? null : storableText(s));

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
            clientId: textOrNull(r.clientId),
            terminalId: textOrNull(r.terminalId),
            topic: textOrNull(r.topic),
            code: r.code,
            reason: storableText(r.reason.slice(0, 1000)),
            size: r.size,
            excerpt: textOrNull(r.excerpt),
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
