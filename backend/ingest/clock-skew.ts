/**
 * When a punch's time is flagged as untrustworthy (`clock_skew`). A flagged punch is stored like any
 * other (nothing is lost) and listed under `GET /api/attendance/events?clockSkew=true` for a person
 * to look at. Two different questions:
 *
 * 1. Is the kiosk's clock wrong now? `sentAt` is stamped at each (re)send, so receivedAt − sentAt
 *    measures the clock's error even for a punch that waited a week in the outbox; the kiosk's own
 *    view (`clock.synced`, `clock.offsetMs`) counts too.
 * 2. Is the capture time believable, whatever the clock says now (#12, finding 9: a punch captured
 *    on 2000-01-01 by a kiosk whose clock had since been set right was stored unflagged)? A kiosk
 *    may deliver punches late after an outage, days or weeks, but not:
 *    - after it sent them (capturedAt later than sentAt),
 *    - before EARLIEST_PLAUSIBLE_CAPTURE (2020: before this system existed; what a clock reset to a
 *      default date, e.g. a Raspberry Pi without RTC, or a forged time looks like),
 *    - more than MAX_DELIVERY_DELAY_MS before it sent them: beyond the month close's reach (45 days,
 *      as the pending claims of backend/attendance/rules-context.ts CLAIM_HORIZON_MS), a punch that
 *      old is far likelier a wrong capture stamp than an outbox that waited that long.
 *    The terminal's registration date is not used: a kiosk re-registered after an outage delivers
 *    punches captured before it, legitimately.
 */
import { type EventPayload, INT32_MAX } from '../../protocol/index.ts';

export const EARLIEST_PLAUSIBLE_CAPTURE_MS = Date.parse('2020-01-01T00:00:00Z');
export const MAX_DELIVERY_DELAY_MS = 45 * 86_400_000;
/** capturedAt may follow sentAt by this much (two readings of the same clock, rounded). */
const CAPTURE_AFTER_SEND_SLACK_MS = 1000;

export function clockSkewOf(
  e: Pick<EventPayload, 'capturedAt' | 'sentAt' | 'clock'>,
  receivedAt: Date,
  toleranceMs: number,
): { skewMs: number; clockSkew: boolean } {
  const captured = Date.parse(e.capturedAt);
  const sent = Date.parse(e.sentAt);
  const skewMs = receivedAt.getTime() - sent;
  const clockWrongNow =
    !e.clock.synced ||
    Math.abs(skewMs) > toleranceMs ||
    (e.clock.offsetMs !== undefined && Math.abs(e.clock.offsetMs) > toleranceMs);
  const captureImplausible =
    captured > sent + CAPTURE_AFTER_SEND_SLACK_MS ||
    captured < EARLIEST_PLAUSIBLE_CAPTURE_MS ||
    sent - captured > MAX_DELIVERY_DELAY_MS;
  // Stored in an INTEGER column: a clock off by more than ~24.8 days (one in 1970) is saturated,
  // and flagged anyway.
  const stored = Math.max(-INT32_MAX, Math.min(INT32_MAX, skewMs));
  return { skewMs: stored, clockSkew: clockWrongNow || captureImplausible };
}
