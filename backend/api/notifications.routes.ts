/** `/api/notifications`: the caller's inbox (discipline cases, lateness reports) and BKD webhook deliveries. */
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { NotificationRepository } from '../notifications/notification.repository.ts';
import { parse, type RouteModule } from './router.ts';

const InboxQuery = z.object({
  unread: z.stringbool().default(false).describe('only notifications not yet read'),
  take: z.coerce.number().int().min(1).max(1000).default(200),
});
const WebhookQuery = z.object({
  state: z.enum(['Pending', 'Delivered', 'Skipped']).optional(),
  take: z.coerce.number().int().min(1).max(1000).default(200),
});
const Id = z.uuid();

export const notificationRoutes =
  (d: { notifications: NotificationRepository; now?: () => number }): RouteModule =>
  (route) => {
    const now = () => new Date((d.now ?? Date.now)());
    route(
      'get',
      '/api/notifications',
      {
        summary: 'The caller’s notifications, newest first (only those addressed to the caller)',
        query: InboxQuery,
      },
      (req, s) => {
        const q = parse(InboxQuery, req.query);
        return d.notifications.inbox(s.sub, { unreadOnly: q.unread, take: q.take });
      },
    );
    route(
      'post',
      '/api/notifications/:id/read',
      { summary: 'Mark one of the caller’s notifications read' },
      async (req, s) => {
        const id = parse(Id, req.params.id);
        if (!(await d.notifications.markRead(id, s.sub, now())))
          throw new AppError('NOT_FOUND', 'no such notification');
        return { id, read: true };
      },
    );
    route(
      'post',
      '/api/notifications/read-all',
      { summary: 'Mark all the caller’s notifications read' },
      async (_req, s) => ({
        marked: await d.notifications.markAllRead(s.sub, now()),
      }),
    );
    route(
      'get',
      '/api/notifications/webhook',
      {
        summary: 'BKD webhook deliveries: state, attempts, next attempt, last error',
        query: WebhookQuery,
        roles: ['SUPERADMIN', 'BKD'],
      },
      async (req) => {
        const q = parse(WebhookQuery, req.query);
        const rows = await d.notifications.webhookRows(q);
        return rows.map(({ payload: _, ...r }) => r);
      },
    );
  };
