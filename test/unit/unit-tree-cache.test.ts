import { describe, expect, it } from 'vitest';
import type { UnitRepository, UnitRow } from '../../backend/repositories/unit.repository.ts';
import { UnitTreeService } from '../../backend/services/unit-tree.service.ts';

const row = (id: string, parentId: string | null): UnitRow => ({
  id,
  name: id,
  parentId,
  code: null,
  active: true,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

/** A unit table whose content the test changes, counting the reads. */
function fakeRepo(initial: UnitRow[]) {
  const state = { units: initial, reads: 0, fail: false };
  const repo = {
    list: async () => {
      state.reads++;
      if (state.fail) throw new Error('database down');
      return [...state.units];
    },
  } as Pick<UnitRepository, 'list'> as UnitRepository;
  return { state, repo };
}

describe('UnitTreeService', () => {
  it('reads the tree once per ttl, and again at once after invalidate', async () => {
    const { state, repo } = fakeRepo([row('dinkes', null), row('p2p', 'dinkes')]);
    let now = 0;
    const tree = new UnitTreeService(repo, 1000, () => now);
    expect(await tree.subtreeOf('dinkes')).toEqual(['dinkes', 'p2p']);
    state.units.push(row('surv', 'p2p'));
    now = 500;
    expect(await tree.subtreeOf('dinkes')).toEqual(['dinkes', 'p2p']);
    expect(state.reads).toBe(1);
    tree.invalidate();
    expect(await tree.subtreeOf('dinkes')).toEqual(['dinkes', 'p2p', 'surv']);
    expect(state.reads).toBe(2);
    state.units = state.units.filter((u) => u.id !== 'surv');
    now = 1600;
    expect(await tree.subtreeOf('dinkes')).toEqual(['dinkes', 'p2p']);
    expect(state.reads).toBe(3);
  });

  it('re-reads when a unit asked for is not in the cached tree, and answers the unit alone if still unknown', async () => {
    const { state, repo } = fakeRepo([row('dinkes', null)]);
    const tree = new UnitTreeService(repo, 60_000, () => 0);
    await tree.units();
    state.units.push(row('disdik', null), row('sd', 'disdik'));
    expect(await tree.subtreeOf('disdik')).toEqual(['disdik', 'sd']);
    expect(await tree.subtreeOf('gone')).toEqual(['gone']);
  });

  it('does not keep a failed read', async () => {
    const { state, repo } = fakeRepo([row('dinkes', null)]);
    const tree = new UnitTreeService(repo, 60_000, () => 0);
    state.fail = true;
    await expect(tree.units()).rejects.toThrow(/database down/);
    state.fail = false;
    expect((await tree.units()).map((u) => u.id)).toEqual(['dinkes']);
  });
});
