/**
 * When a kiosk's status frees days that waited for its unsent punches (rules-context.ts
 * recheckFrom): only then, and back to the oldest punch it held, however long ago.
 */
import { describe, expect, it } from 'vitest';
import { recheckFrom } from '../../backend/attendance/rules-context.ts';

const NOW = Date.parse('2027-01-03T02:00:00Z');
const at = new Date(NOW);
const status = (o: object) => ({
  lastStatus: JSON.stringify({ v: 1, state: 'online', ...o }),
  lastStatusAt: at,
});

describe('recheckFrom', () => {
  it('goes back to the oldest held punch when the outbox drains, weeks ago too (a blankspot kiosk)', () => {
    const before = status({ outboxDepth: 120, oldestPendingAt: '2026-11-04T01:45:00Z' });
    expect(recheckFrom(before, status({ outboxDepth: 0 }), NOW)).toBe('2026-11-03');
  });

  it('also when the oldest held punch moves later (part of the backlog delivered)', () => {
    const before = status({ outboxDepth: 120, oldestPendingAt: '2026-12-20T01:00:00Z' });
    const after = status({ outboxDepth: 40, oldestPendingAt: '2026-12-28T01:00:00Z' });
    expect(recheckFrom(before, after, NOW)).toBe('2026-12-19');
  });

  it('frees nothing, so looks nothing up: the same backlog repeated, nothing held before, a first status', () => {
    const held = status({ outboxDepth: 3, oldestPendingAt: '2027-01-02T23:00:00Z' });
    expect(recheckFrom(held, held, NOW)).toBeUndefined();
    expect(recheckFrom(status({ outboxDepth: 0 }), status({ outboxDepth: 0 }), NOW)).toBeUndefined();
    expect(recheckFrom(status({ outboxDepth: 0 }), held, NOW)).toBeUndefined();
    expect(recheckFrom(null, status({ outboxDepth: 0 }), NOW)).toBeUndefined();
  });

  it('a kiosk back within a week of dropping off frees the days since it dropped', () => {
    const dropped = {
      lastStatus: JSON.stringify({ v: 1, state: 'offline' }),
      lastStatusAt: new Date(NOW - 2 * 86_400_000),
    };
    expect(recheckFrom(dropped, status({ outboxDepth: 0 }), NOW)).toBe('2026-12-31');
  });
});
