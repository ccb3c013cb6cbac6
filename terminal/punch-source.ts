import type { PunchMethod } from '../protocol/index.ts';

/** Something that decides a person is at the kiosk: the face pipeline, a card reader, a PIN pad, or a simulator. */
export type Recognition = {
  employeeId: string;
  method: PunchMethod;
  score?: number;
  distance?: number;
  /** Liveness result of a face recognition (protocol `Liveness`). */
  liveness?: { checked: boolean; passed?: boolean; method?: string };
  /** Display name for the kiosk screen (not sent: the backend knows its employees). */
  name?: string;
};

export interface PunchSource {
  /** Yields recognitions until stopped or exhausted. */
  recognitions(): AsyncIterable<Recognition>;
  stop(): void;
}

/** Drives demos and tests: `count` punches for `employees`, round-robin, `ratePerSecond` (0 = as fast as possible). */
export class SimulatedPunchSource implements PunchSource {
  private stopped = false;
  constructor(
    private readonly employees: readonly string[],
    private readonly count: number,
    private readonly ratePerSecond: number,
  ) {
    if (employees.length === 0) throw new Error('simulated source needs at least one employee NIP');
  }

  async *recognitions(): AsyncIterable<Recognition> {
    const gap = this.ratePerSecond > 0 ? 1000 / this.ratePerSecond : 0;
    for (let i = 0; i < this.count && !this.stopped; i++) {
      const employeeId = this.employees[i % this.employees.length] as string;
      yield { employeeId, method: 'face', score: 0.9, distance: 0.35 };
      await new Promise((r) => (gap > 0 ? setTimeout(r, gap) : setImmediate(r)));
    }
  }

  stop(): void {
    this.stopped = true;
  }
}
