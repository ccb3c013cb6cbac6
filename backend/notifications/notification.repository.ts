/**
 * The notification outbox (table `notification`): inbox reads, webhook claims and results, and
 * who stands for a direct superior or BKD among the admin users.
 *
 * Delivery is at least once: a webhook row is claimed (attempts + 1, pushed past the in-flight
 * horizon) by a conditional update before it is sent, so two dispatchers never send the same
 * attempt; a crash between the receiver's 2xx and `delivered` leads to one resend, which the
 * receiver recognises by the Idempotency-Key header (the row id).
 */
import type { Db } from '../repositories/db.ts';
import {
  BKD_WEBHOOK,
  type CaseRecipients,
  type NotificationState,
  type OutboxRow,
} from './notification-plan.ts';

export type InboxItem = {
  id: string;
  kind: string;
  title: string;
  unitId: string | null;
  payload: unknown;
  createdAt: Date;
  readAt: Date | null;
};

export type WebhookRow = {
  id: string;
  dedupeKey: string;
  kind: string;
  payload: string;
  state: string;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
};

const WEBHOOK_SELECT = {
  id: true,
  dedupeKey: true,
  kind: true,
  payload: true,
  state: true,
  attempts: true,
  nextAttemptAt: true,
  lastError: true,
  deliveredAt: true,
  createdAt: true,
} as const;

export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'P2002';
}

export class NotificationRepository {
  constructor(private readonly db: Db) {}

  /** The createMany statement for rows (to run inside a caller's `$transaction([...])`). */
  insertStatement(rows: readonly OutboxRow[]) {
    return this.db.prisma.notification.createMany({ data: rows.map((r) => ({ ...r, lastError: null })) });
  }

  /**
   * Writes a group of rows atomically, unless its first dedupe key is already there; false when
   * it was (a rerun, or another instance won the race).
   */
  async enqueueOnce(rows: readonly OutboxRow[]): Promise<boolean> {
    const first = rows[0];
    if (!first) return false;
    if (
      await this.db.prisma.notification.findUnique({
        where: { dedupeKey: first.dedupeKey },
        select: { id: true },
      })
    )
      return false;
    try {
      await this.db.prisma.$transaction([this.insertStatement(rows)]);
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /**
   * Admin users standing for an employee's direct superior: the superior's own account (an
   * admin user whose username is the superior's NIP) and the SUPERVISOR accounts of the
   * employee's unit (the head of the unit). When neither exists, the unit's OPD admins, so a
   * case is never told to nobody. BKD: every BKD user.
   */
  /**
   * Who is told of a case: the superior's own account (username = the superior's NIP) and the
   * supervisors of the employee's unit; where there are none, the nearest unit up the tree that has
   * supervisors, then OPD admins (a sub-unit's heads and admins often sit in the parent unit); where
   * nobody is found at all, BKD, so a case is never told to nobody.
   */
  async recipientsOf(superiorNip: string | null, unitId: string): Promise<CaseRecipients> {
    const [users, units] = await Promise.all([
      this.db.prisma.adminUser.findMany({
        where: {
          OR: [
            ...(superiorNip ? [{ username: superiorNip }] : []),
            { role: { in: ['SUPERVISOR', 'OPD_ADMIN', 'BKD'] } },
          ],
        },
        select: { id: true, username: true, role: true, unitId: true },
        orderBy: { id: 'asc' },
      }),
      this.db.prisma.unit.findMany({ select: { id: true, parentId: true } }),
    ]);
    const parentOf = new Map(units.map((u) => [u.id, u.parentId]));
    const chain: string[] = [];
    for (let u: string | null | undefined = unitId; u && !chain.includes(u); u = parentOf.get(u))
      chain.push(u);
    const inUnit = (role: string, unit: string) =>
      users.filter((u) => u.role === role && u.unitId === unit).map((u) => u.id);
    const nearest = (role: string) => {
      for (const unit of chain) {
        const found = inUnit(role, unit);
        if (found.length > 0) return found;
      }
      return [];
    };
    const bkdUsers = users.filter((u) => u.role === 'BKD').map((u) => u.id);
    const own = users.filter((u) => superiorNip !== null && u.username === superiorNip).map((u) => u.id);
    let superiorUsers = [...new Set([...own, ...inUnit('SUPERVISOR', unitId)])];
    if (superiorUsers.length === 0) superiorUsers = nearest('SUPERVISOR');
    if (superiorUsers.length === 0) superiorUsers = nearest('OPD_ADMIN');
    if (superiorUsers.length === 0) superiorUsers = bkdUsers;
    return { superiorUsers, bkdUsers };
  }

  async bkdUsers(): Promise<string[]> {
    const rows = await this.db.prisma.adminUser.findMany({
      where: { role: 'BKD' },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    return rows.map((r) => r.id);
  }

  /**
   * A user's inbox, newest first. Being its recipient is what lets a user see a row: a superior whose
   * account sits in a parent unit still sees their sub-unit employee's case.
   */
  async inbox(userId: string, f: { unreadOnly: boolean; take: number }): Promise<InboxItem[]> {
    const rows = await this.db.prisma.notification.findMany({
      where: {
        channel: 'Inbox',
        recipient: userId,
        ...(f.unreadOnly ? { readAt: null } : {}),
      },
      select: {
        id: true,
        kind: true,
        title: true,
        unitId: true,
        payload: true,
        createdAt: true,
        readAt: true,
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      take: f.take,
    });
    return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown }));
  }

  /** Marks one of the user's inbox rows read; false when it is not theirs. */
  async markRead(id: string, userId: string, at: Date): Promise<boolean> {
    const r = await this.db.prisma.notification.updateMany({
      where: { id, channel: 'Inbox', recipient: userId },
      data: { readAt: at },
    });
    return r.count === 1;
  }

  async markAllRead(userId: string, at: Date): Promise<number> {
    const r = await this.db.prisma.notification.updateMany({
      where: { channel: 'Inbox', recipient: userId, readAt: null },
      data: { readAt: at },
    });
    return r.count;
  }

  /** Webhook rows due for an attempt. */
  due(now: Date, take: number): Promise<WebhookRow[]> {
    return this.db.prisma.notification.findMany({
      where: { channel: 'Webhook', recipient: BKD_WEBHOOK, state: 'Pending', nextAttemptAt: { lte: now } },
      select: WEBHOOK_SELECT,
      orderBy: [{ nextAttemptAt: 'asc' }, { id: 'asc' }],
      take,
    });
  }

  /**
   * Claims an attempt: only if nobody else claimed it since it was read (same attempts count,
   * still due). The row is pushed to `inflightUntil`, so a dispatcher that dies mid-send leaves it
   * to be retried after that.
   */
  async claim(r: Pick<WebhookRow, 'id' | 'attempts'>, now: Date, inflightUntil: Date): Promise<boolean> {
    const res = await this.db.prisma.notification.updateMany({
      where: { id: r.id, state: 'Pending', attempts: r.attempts, nextAttemptAt: { lte: now } },
      data: { attempts: r.attempts + 1, nextAttemptAt: inflightUntil },
    });
    return res.count === 1;
  }

  async delivered(id: string, at: Date): Promise<void> {
    await this.db.prisma.notification.update({
      where: { id },
      data: { state: 'Delivered', deliveredAt: at, lastError: null },
    });
  }

  async retryAt(id: string, at: Date, error: string): Promise<void> {
    await this.db.prisma.notification.update({
      where: { id },
      data: { nextAttemptAt: at, lastError: error.slice(0, 500) },
    });
  }

  async finish(
    id: string,
    state: Exclude<NotificationState, 'Pending'>,
    error: string | null,
  ): Promise<void> {
    await this.db.prisma.notification.update({ where: { id }, data: { state, lastError: error } });
  }

  /** The webhook rows, newest first, for BKD to see what was sent. */
  webhookRows(f: { state?: string | undefined; take: number }): Promise<WebhookRow[]> {
    return this.db.prisma.notification.findMany({
      where: { channel: 'Webhook', ...(f.state ? { state: f.state } : {}) },
      select: WEBHOOK_SELECT,
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      take: f.take,
    });
  }
}
