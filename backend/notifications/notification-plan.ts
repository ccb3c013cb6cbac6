/**
 * What to tell whom, as outbox rows: pure functions, no I/O. The repositories write the rows
 * (in the same transaction as the case or report that causes them) and the dispatcher sends
 * the webhook ones.
 *
 * Who is told (RULES.md, PP 94/2021): a case goes to the employee's direct superior; a medium
 * or heavy one to BKD as well (its users' inboxes and the BKD webhook). The daily lateness
 * report goes to BKD. See `recipientsOf` in notification.repository.ts for how a superior NIP
 * becomes admin users.
 */
import { createHmac, randomUUID } from 'node:crypto';

export type Channel = 'Inbox' | 'Webhook';
export type NotificationKind = 'DisciplineCase' | 'LatenessReport';
export type NotificationState = 'Pending' | 'Delivered' | 'Skipped';

/** The one webhook recipient. */
export const BKD_WEBHOOK = 'bkd';

export type OutboxRow = {
  id: string;
  dedupeKey: string;
  channel: Channel;
  /** Inbox: admin_user id; Webhook: BKD_WEBHOOK. */
  recipient: string;
  unitId: string | null;
  kind: NotificationKind;
  title: string;
  payload: string;
  state: NotificationState;
  attempts: number;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
  createdAt: Date;
};

export type CaseRecipients = {
  /** Admin users standing for the direct superior. */
  superiorUsers: readonly string[];
  /** BKD users; used only when the case is for BKD too. */
  bkdUsers: readonly string[];
};

export type CaseFacts = {
  id: string;
  employeeId: string;
  employeeName?: string | undefined;
  unitId: string;
  year: number;
  threshold: string;
  level: string;
  sanction: string;
  label: string;
  tkDays: number;
  longestRun: number;
  superiorNip: string | null;
  openedAt: Date;
  /** The threshold key the case escalated from; null or absent for a newly opened case. */
  escalatedFrom?: string | null | undefined;
};

function row(
  r: Pick<OutboxRow, 'dedupeKey' | 'channel' | 'recipient' | 'unitId' | 'kind' | 'title' | 'payload'>,
  now: Date,
): OutboxRow {
  const inbox = r.channel === 'Inbox';
  return {
    id: randomUUID(),
    ...r,
    // An inbox row is delivered by being written; a webhook row waits for the dispatcher.
    state: inbox ? 'Delivered' : 'Pending',
    attempts: 0,
    nextAttemptAt: now,
    deliveredAt: inbox ? now : null,
    createdAt: now,
  };
}

/**
 * The rows for a level a case reached (opened at it, or escalated to it): the superior always, BKD
 * for medium and heavy levels. The dedupe key is per case and level, so a recompute that finds the
 * same level again tells nobody twice, and each heavier level is told once.
 */
export function caseNotifications(c: CaseFacts, to: CaseRecipients, forBkd: boolean, now: Date): OutboxRow[] {
  const what = c.escalatedFrom ? `naik ke ${c.level}` : c.level;
  const title = `Kasus disiplin ${what} (${c.threshold}): ${c.employeeName ?? c.employeeId} — ${c.label}`;
  const key = `case:${c.id}:level:${c.threshold}`;
  const payload = JSON.stringify({
    type: 'DisciplineCase',
    caseId: c.id,
    employeeId: c.employeeId,
    employeeName: c.employeeName ?? null,
    unitId: c.unitId,
    year: c.year,
    threshold: c.threshold,
    level: c.level,
    sanction: c.sanction,
    label: c.label,
    tkDays: c.tkDays,
    longestRun: c.longestRun,
    superiorNip: c.superiorNip,
    escalatedFrom: c.escalatedFrom ?? null,
    openedAt: c.openedAt.toISOString(),
    reachedAt: now.toISOString(),
  });
  const users = new Set(to.superiorUsers);
  if (forBkd) for (const u of to.bkdUsers) users.add(u);
  const out = [...users].map((u) =>
    row(
      {
        dedupeKey: `${key}:user:${u}`,
        channel: 'Inbox',
        recipient: u,
        unitId: c.unitId,
        kind: 'DisciplineCase',
        title,
        payload,
      },
      now,
    ),
  );
  if (forBkd) {
    out.push(
      row(
        {
          dedupeKey: `${key}:webhook`,
          channel: 'Webhook',
          recipient: BKD_WEBHOOK,
          unitId: c.unitId,
          kind: 'DisciplineCase',
          title,
          payload,
        },
        now,
      ),
    );
  }
  return out;
}

export type LatenessSummary = {
  zone: string;
  date: string;
  totals: { late: number; earlyLeave: number; absent: number; employees: number };
};

/** The rows for a day's lateness report of one zone: BKD users' inboxes (a summary) and the webhook (all). */
export function latenessNotifications(
  report: LatenessSummary & { units: unknown[] },
  bkdUsers: readonly string[],
  now: Date,
): OutboxRow[] {
  const { zone, date, totals } = report;
  const title = `Laporan keterlambatan ${date} (${zone}): ${totals.late} terlambat, ${totals.earlyLeave} pulang cepat, ${totals.absent} TK`;
  const key = `lateness:${zone}:${date}`;
  const summary = JSON.stringify({
    type: 'LatenessReport',
    zone,
    date,
    totals,
    report: `/api/reports/lateness?date=${date}`,
  });
  const out = bkdUsers.map((u) =>
    row(
      {
        dedupeKey: `${key}:user:${u}`,
        channel: 'Inbox',
        recipient: u,
        unitId: null,
        kind: 'LatenessReport',
        title,
        payload: summary,
      },
      now,
    ),
  );
  out.push(
    row(
      {
        dedupeKey: `${key}:webhook`,
        channel: 'Webhook',
        recipient: BKD_WEBHOOK,
        unitId: null,
        kind: 'LatenessReport',
        title,
        payload: JSON.stringify({ type: 'LatenessReport', ...report }),
      },
      now,
    ),
  );
  return out;
}

/** Delay before attempt `attempts + 1` after `attempts` failures: base·2^(n−1), capped. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

/** Header carrying the body's HMAC-SHA256 (hex), as `sha256=<hex>`. */
export const SIGNATURE_HEADER = 'x-absensi-signature';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const TIMESTAMP_HEADER = 'x-absensi-timestamp';

/** HMAC-SHA256 over `<timestamp>.<body>`, so a captured request cannot be replayed with a new time. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
