/**
 * Sends due webhook rows of the outbox to BKD, one claimed attempt at a time, until a 2xx;
 * a failure is retried with exponential backoff. Runs as the `notification-dispatch` job
 * (under its lease); the per-row claim keeps it safe even if two dispatchers overlap.
 */
import type { Logger } from '../../lib/logger.ts';
import type { JobOutcome } from '../jobs/job-outcome.ts';
import type { NotificationRepository } from './notification.repository.ts';
import { backoffMs } from './notification-plan.ts';
import type { WebhookPort } from './webhook.sender.ts';

export type DispatchOptions = {
  /** Unset: BKD_WEBHOOK_URL is not configured; webhook rows are marked Skipped. */
  webhook: WebhookPort | undefined;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long a claimed attempt may take before another dispatcher may retry it. */
  inflightMs: number;
  batch?: number;
  log: Logger;
  now?: () => number;
};

export class NotificationDispatcher {
  constructor(
    private readonly repo: NotificationRepository,
    private readonly o: DispatchOptions,
  ) {}

  private now(): Date {
    return new Date((this.o.now ?? Date.now)());
  }

  async dispatchDue(): Promise<JobOutcome> {
    const now = this.now();
    const due = await this.repo.due(now, this.o.batch ?? 50);
    if (due.length === 0) return { status: 'Skipped', reason: 'nothing due' };
    let delivered = 0;
    let failed = 0;
    let skipped = 0;
    for (const r of due) {
      if (!(await this.repo.claim(r, now, new Date(now.getTime() + this.o.inflightMs)))) continue;
      if (!this.o.webhook) {
        await this.repo.finish(r.id, 'Skipped', 'BKD_WEBHOOK_URL is not set');
        skipped++;
        continue;
      }
      const res = await this.o.webhook.send({ id: r.id, kind: r.kind, body: r.payload, at: this.now() });
      if (res.ok) {
        await this.repo.delivered(r.id, this.now());
        delivered++;
        this.o.log.info({ id: r.id, kind: r.kind, attempt: r.attempts + 1 }, 'webhook delivered');
      } else {
        const wait = backoffMs(r.attempts + 1, this.o.retryBaseMs, this.o.retryMaxMs);
        await this.repo.retryAt(r.id, new Date(this.now().getTime() + wait), res.error);
        failed++;
        this.o.log.warn(
          { id: r.id, kind: r.kind, attempt: r.attempts + 1, error: res.error, retryInMs: wait },
          'webhook not delivered; will retry',
        );
      }
    }
    return { status: 'Success', delivered, failed, skipped };
  }
}
