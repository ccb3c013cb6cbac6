/** The HTTP side of the BKD webhook: one signed JSON POST, and what came of it. No retries here. */
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './notification-plan.ts';

export type SendResult = { ok: true; status: number } | { ok: false; error: string };

export interface WebhookPort {
  send(m: { id: string; kind: string; body: string; at: Date }): Promise<SendResult>;
}

export class WebhookSender implements WebhookPort {
  constructor(private readonly o: { url: string; secret?: string | undefined; timeoutMs: number }) {}

  async send(m: { id: string; kind: string; body: string; at: Date }): Promise<SendResult> {
    const timestamp = m.at.toISOString();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [IDEMPOTENCY_HEADER]: m.id,
      [TIMESTAMP_HEADER]: timestamp,
      'x-absensi-event': m.kind,
    };
    if (this.o.secret) headers[SIGNATURE_HEADER] = signWebhook(this.o.secret, timestamp, m.body);
    try {
      const res = await fetch(this.o.url, {
        method: 'POST',
        headers,
        body: m.body,
        signal: AbortSignal.timeout(this.o.timeoutMs),
        redirect: 'error',
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? { ok: true, status: res.status } : { ok: false, error: `HTTP ${res.status}` };
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      return { ok: false, error: `${err instanceof Error ? err.message : String(err)}${cause}` };
    }
  }
}
