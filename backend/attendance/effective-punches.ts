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

/** The effective punch instants, each once, ascending. */
export function applyCorrections(events: ArrayLike<number>, corrections: readonly Correction[]): number[] {
  const set = new Set<number>(Array.from(events));
  const ordered = [...corrections].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  for (const c of ordered) {
    if (c.action === 'Add') set.add(c.at);
    else set.delete(c.at);
  }
  return [...set].sort((a, b) => a - b);
}
