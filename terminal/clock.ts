import type { ClockState } from '../protocol/index.ts';

/**
 * The kiosk's clock and what it knows about its accuracy. A Pi has no RTC:
 * after a power cut without network its clock can be far off, so "synced"
 * means the offset to the server was measured recently and is small.
 */
export class KioskClock {
  private offsetMs: number | undefined;
  private measuredAt = 0;
  constructor(
    private readonly toleranceMs = 2000,
    private readonly maxAgeMs = 24 * 3600_000,
  ) {}

  now(): Date {
    return new Date();
  }

  /** Server time seen in an ack/config; half the round trip is ignored (loopback to LAN scale). */
  observeServerTime(serverTime: Date, localReceivedAt: Date): void {
    this.offsetMs = localReceivedAt.getTime() - serverTime.getTime();
    this.measuredAt = Date.now();
  }

  state(): ClockState {
    if (this.offsetMs === undefined) return { synced: false, source: 'unmeasured' };
    const fresh = Date.now() - this.measuredAt < this.maxAgeMs;
    return {
      synced: fresh && Math.abs(this.offsetMs) <= this.toleranceMs,
      offsetMs: Math.round(this.offsetMs),
      source: 'server',
    };
  }
}
