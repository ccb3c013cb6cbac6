/**
 * People whose face matched but never became a punch because too few agreeing frames came in a row:
 * a picture folder with one frame per picture looks like that (a recognition needs `agreeFrames`,
 * 3 by default). The kiosk says so at the end of a file source instead of ending silently.
 */
import type { Decision } from '../face/recognizer.ts';

export type Unconfirmed = { personId: string; frames: number; needed: number };

export class UnconfirmedFaces {
  private readonly matched = new Map<string, { frames: number; needed: number }>();
  private readonly recognised = new Set<string>();

  /** Every frame's recognizer decision. */
  observe(d: Decision): void {
    if (d.kind === 'recognized') this.recognised.add(d.personId);
    if (d.kind !== 'verifying') return;
    const m = this.matched.get(d.personId) ?? { frames: 0, needed: d.needed };
    m.frames++;
    m.needed = d.needed;
    this.matched.set(d.personId, m);
  }

  /** Those matched on some frames and never recognised, in the order first seen. */
  report(): Unconfirmed[] {
    return [...this.matched]
      .filter(([id]) => !this.recognised.has(id))
      .map(([personId, m]) => ({ personId, ...m }));
  }
}

/** What the kiosk says about one of them, for a folder of pictures or a video. */
export function unconfirmedMessage(
  u: Unconfirmed,
  name: string | undefined,
  source: 'images' | 'video',
): string {
  const who = name ? `${name} (${u.personId})` : u.personId;
  if (source === 'images') {
    const n = u.frames === 1 ? '1 picture' : `${u.frames} pictures`;
    return (
      `${n} of ${who} gave no punch: a recognition needs ${u.needed} agreeing frames in a row; ` +
      `hold each picture for several frames with --repeat ${u.needed} (or more), or use a video`
    );
  }
  const n = u.frames === 1 ? '1 frame' : `${u.frames} frames`;
  return `${n} of ${who} matched but gave no punch: a recognition needs ${u.needed} agreeing frames in a row`;
}
