import { describe, expect, it } from 'vitest';
import { DEFAULT_RECOGNIZER, type MatchVerdict, Recognizer } from '../../face/recognizer.ts';
import { UnconfirmedFaces, unconfirmedMessage } from '../../terminal/unconfirmed-faces.ts';

const match = (personId: string): MatchVerdict => ({ kind: 'match', personId, distance: 0.2, gap: 0.5 });

/** Frames 100 ms apart, each matching the given person, through the real recognizer rules. */
function run(people: string[]): UnconfirmedFaces {
  const r = new Recognizer({ ...DEFAULT_RECOGNIZER });
  const t = new UnconfirmedFaces();
  people.forEach((p, i) => {
    t.observe(r.step({ ts: i * 100, kind: 'verdict', verdict: match(p) }));
  });
  return t;
}

describe('faces that matched without a punch', () => {
  it('one frame per picture: everyone matched, nobody recognised, each reported', () => {
    expect(run(['a', 'b', 'a', 'b']).report()).toEqual([
      { personId: 'a', frames: 2, needed: 3 },
      { personId: 'b', frames: 2, needed: 3 },
    ]);
  });

  it('three agreeing frames make a punch: not reported', () => {
    expect(run(['a', 'a', 'a', 'b']).report()).toEqual([{ personId: 'b', frames: 1, needed: 3 }]);
    expect(run(['a', 'a', 'a', 'a', 'a', 'a']).report()).toEqual([]);
  });

  it('says what to do', () => {
    const u = { personId: '199001012015011001', frames: 2, needed: 3 };
    expect(unconfirmedMessage(u, 'Siti', 'images')).toBe(
      '2 pictures of Siti (199001012015011001) gave no punch: a recognition needs 3 agreeing frames in a row; ' +
        'hold each picture for several frames with --repeat 3 (or more), or use a video',
    );
    expect(unconfirmedMessage({ ...u, frames: 1 }, undefined, 'video')).toBe(
      '1 frame of 199001012015011001 matched but gave no punch: a recognition needs 3 agreeing frames in a row',
    );
  });
});
