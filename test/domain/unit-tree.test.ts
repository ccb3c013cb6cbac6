import { describe, expect, it } from 'vitest';
import { slugOf } from '../../backend/domain/slug.ts';
import {
  ancestorIds,
  buildTree,
  depthOf,
  moveProblem,
  subtreeIds,
  type UnitNode,
} from '../../backend/domain/unit-tree.ts';

// Two OPDs; Dinkes has two bidang, one of them with a sub-bagian.
const units: UnitNode[] = [
  { id: 'dinkes', parentId: null },
  { id: 'p2p', parentId: 'dinkes' },
  { id: 'yankes', parentId: 'dinkes' },
  { id: 'surveilans', parentId: 'p2p' },
  { id: 'disdik', parentId: null },
];

describe('unit tree', () => {
  it('lists a unit and everything below it, and nothing of another OPD', () => {
    expect(subtreeIds(units, 'dinkes')).toEqual(['dinkes', 'p2p', 'surveilans', 'yankes']);
    expect(subtreeIds(units, 'p2p')).toEqual(['p2p', 'surveilans']);
    expect(subtreeIds(units, 'surveilans')).toEqual(['surveilans']);
    expect(subtreeIds(units, 'disdik')).toEqual(['disdik']);
    expect(subtreeIds(units, 'nowhere')).toEqual([]);
  });

  it('walks up to the root and tells the depth', () => {
    expect(ancestorIds(units, 'surveilans')).toEqual(['p2p', 'dinkes']);
    expect(depthOf(units, 'dinkes')).toBe(0);
    expect(depthOf(units, 'p2p')).toBe(1);
    expect(depthOf(units, 'surveilans')).toBe(2);
  });

  it.each([
    ['dinkes', 'surveilans', 'Cycle'],
    ['dinkes', 'p2p', 'Cycle'],
    ['p2p', 'p2p', 'OwnParent'],
    ['p2p', 'nowhere', 'UnknownParent'],
    ['p2p', 'yankes', null],
    ['p2p', 'disdik', null],
    ['surveilans', null, null],
    ['disdik', 'surveilans', null],
  ] as const)('moving %s under %s: %s', (unit, parent, problem) => {
    expect(moveProblem(units, unit, parent)).toBe(problem);
  });

  it('stops at a cycle already stored instead of looping', () => {
    const broken: UnitNode[] = [
      { id: 'a', parentId: 'b' },
      { id: 'b', parentId: 'a' },
      { id: 'c', parentId: 'a' },
    ];
    expect(new Set(subtreeIds(broken, 'a'))).toEqual(new Set(['a', 'b', 'c']));
    expect(ancestorIds(broken, 'c')).toEqual(['a', 'b']);
    expect(moveProblem(broken, 'a', 'c')).toBe('Cycle');
  });

  it('nests the units, a missing parent making a root', () => {
    const tree = buildTree([...units, { id: 'orphan', parentId: 'gone' }]);
    const shape = (n: { id: string; children: unknown[] }): unknown => [
      n.id,
      (n.children as Array<{ id: string; children: unknown[] }>).map(shape),
    ];
    expect(tree.map(shape)).toEqual([
      [
        'dinkes',
        [
          ['p2p', [['surveilans', []]]],
          ['yankes', []],
        ],
      ],
      ['disdik', []],
      ['orphan', []],
    ]);
    expect(buildTree(units, ['p2p']).map(shape)).toEqual([['p2p', [['surveilans', []]]]]);
  });

  it('makes readable ids from names', () => {
    expect(slugOf('Dinas Kesehatan', 'unit')).toBe('dinas-kesehatan');
    expect(slugOf('  Sub-Bagian Umum & Kepegawaian ', 'unit')).toBe('sub-bagian-umum-kepegawaian');
    expect(slugOf('Café Ñ', 'unit')).toBe('cafe-n');
    expect(slugOf('***', 'unit')).toBe('unit');
  });
});
