import type { RejectCode } from '../protocol/index.ts';

/** What the broker needs to know about a terminal to authenticate it. */
export type TerminalCredential = { id: string; siteId: string; secretHash: string; active: boolean };

export interface TerminalDirectory {
  findTerminal(id: string): Promise<TerminalCredential | null>;
}

export type Rejection = {
  source: 'broker' | 'ingest';
  clientId?: string | undefined;
  terminalId?: string | undefined;
  topic?: string | undefined;
  code: RejectCode;
  reason: string;
  size: number;
  excerpt?: string | undefined;
};

/** Durable record of refused messages; `record` never throws and never blocks. */
export interface RejectionSink {
  record(r: Rejection): void;
}

export function excerptOf(payload: Buffer | string, max = 200): string {
  const s = typeof payload === 'string' ? payload : payload.subarray(0, max * 4).toString('utf8');
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
