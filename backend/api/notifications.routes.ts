/** `/api/notifications`: the caller's inbox (discipline cases, lateness reports) and BKD webhook deliveries. */
import { z } from 'zod';
import type { NotificationInboxService } from '../notifications/notification-inbox.service.ts';
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
  (d: { notifications: NotificationInboxService }): RouteModule =>
  (route) => {
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
      (req, s) => d.notifications.markRead(parse(Id, req.params.id), s.sub),
    );
    route(
      'post',
      '/api/notifications/read-all',
      { summary: 'Mark all the caller’s notifications read' },
      (_req, s) => d.notifications.markAllRead(s.sub),
    );
    route(
      'get',
      '/api/notifications/webhook',
      {
        summary: 'BKD webhook deliveries: state, attempts, next attempt, last error',
        query: WebhookQuery,
        roles: ['SUPERADMIN', 'BKD'],
      },
      (req) => d.notifications.webhookDeliveries(parse(WebhookQuery, req.query)),
    );
  };
