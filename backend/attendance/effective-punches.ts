/**
 * The punches the rules see: the stored events plus the admins' corrections, applied in the
 * order they were made. An 'Add' puts a punch at an instant; a 'Void' takes away every punch
 * at that instant (kiosk events and earlier additions alike). The events themselves stay as
 * they were received.
 */
export type Correction = {
  id: string;
  action: 'Add' | 'Void';
  /** Epoch ms of the punch added or voided. */
  at: number;
  /** Epoch ms the correction was made (application order). */
  createdAt: number;
};

/**
 * The effective punch instants, ascending. Two events at one instant stay two (the day lists the
 * second as a repeat, as the month close does with the raw events); an 'Add' adds one punch, a
 * 'Void' takes away every punch at its instant.
 */
export function applyCorrections(events: ArrayLike<number>, corrections: readonly Correction[]): number[] {
  const count = new Map<number, number>();
  for (let i = 0; i < events.length; i++) {
    const at = events[i] as number;
    count.set(at, (count.get(at) ?? 0) + 1);
  }
  const ordered = [...corrections].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  for (const c of ordered) {
    if (c.action === 'Add') count.set(c.at, (count.get(c.at) ?? 0) + 1);
    else count.delete(c.at);
  }
  const out: number[] = [];
  for (const [at, n] of count) for (let k = 0; k < n; k++) out.push(at);
  return out.sort((a, b) => a - b);
}
