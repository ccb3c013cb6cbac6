/** Helpers for the jobs, notifications and reports tests: fresh databases and a real webhook receiver. */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase } from '../../backend/db/database.ts';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
} from '../../backend/notifications/notification-plan.ts';
import { createPgDatabase, type DbKind } from '../support/cluster.ts';

/** A migrated, empty database of that kind: a SQLite file, or a new PostgreSQL database. */
export async function freshDatabase(kind: DbKind): Promise<string> {
  const url =
    kind === 'sqlite'
      ? `file:${join(mkdtempSync(join(tmpdir(), 'att-jobs-')), 'att.db')}`
      : await createPgDatabase();
  await migrateDatabase(url);
  return url;
}

export type Received = {
  idempotencyKey: string;
  event: string;
  timestamp: string;
  signature: string;
  body: string;
  /** The status this receiver answered. */
  answered: number;
};

/** BKD's side of the webhook, on loopback: answers 503 while `down`, else 200, and records every request. */
export class WebhookReceiver {
  readonly requests: Received[] = [];
  down = false;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    let self: WebhookReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answered = self?.down ? 503 : 200;
        self?.requests.push({
          idempotencyKey: String(req.headers[IDEMPOTENCY_HEADER] ?? ''),
          event: String(req.headers['x-absensi-event'] ?? ''),
          timestamp: String(req.headers[TIMESTAMP_HEADER] ?? ''),
          signature: String(req.headers[SIGNATURE_HEADER] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
          answered,
        });
        res.writeHead(answered, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    self = new WebhookReceiver(server, `http://127.0.0.1:${port}/bkd/webhook`);
    return self;
  }

  /** Requests answered 2xx, i.e. deliveries. */
  get delivered(): Received[] {
    return this.requests.filter((r) => r.answered < 300);
  }

  validSignature(r: Received, secret: string): boolean {
    return r.signature === signWebhook(secret, r.timestamp, r.body);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
