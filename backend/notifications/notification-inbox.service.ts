import { AppError } from '../errors.ts';
import type { NotificationRepository } from './notification.repository.ts';

/** A user's inbox (discipline cases, lateness reports) and the BKD webhook deliveries, for the API. */
export class NotificationInboxService {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly now: () => number = Date.now,
  ) {}

  inbox(userId: string, f: { unreadOnly: boolean; take: number }) {
    return this.notifications.inbox(userId, f);
  }

  /** Marks one of the user's own notifications read; 404 for anyone else's. */
  async markRead(id: string, userId: string): Promise<{ id: string; read: true }> {
    if (!(await this.notifications.markRead(id, userId, new Date(this.now()))))
      throw new AppError('NOT_FOUND', 'no such notification');
    return { id, read: true };
  }

  async markAllRead(userId: string): Promise<{ marked: number }> {
    return { marked: await this.notifications.markAllRead(userId, new Date(this.now())) };
  }

  /** Webhook deliveries without their payloads (NIPs and names stay in the database). */
  async webhookDeliveries(f: { state?: string | undefined; take: number }) {
    const rows = await this.notifications.webhookRows(f);
    return rows.map(({ payload: _, ...r }) => r);
  }
}
