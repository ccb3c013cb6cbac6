import { v7 as uuidv7 } from 'uuid';
import type { EventPayload } from '../../protocol/index.ts';

export function nip(i: number): string {
  return `19900101201501${String(1000 + i).padStart(4, '0')}`;
}

/** A valid v1 event payload, as a kiosk would send it. */
export function goodEvent(seq: number, employeeId = nip(1), over: Partial<EventPayload> = {}): EventPayload {
  const now = new Date().toISOString();
  return {
    v: 1,
    id: uuidv7(),
    seq,
    employeeId,
    method: 'face',
    capturedAt: now,
    sentAt: now,
    clock: { synced: true, offsetMs: 0 },
    score: 0.9,
    ...over,
  };
}
