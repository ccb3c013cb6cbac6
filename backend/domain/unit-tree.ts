/**
 * The organisation's unit tree (OPD → bidang → sub-bagian) as pure functions over the flat list of
 * units: who is below whom, what a move would do, and the nested view. Stored parents are not
 * trusted to be acyclic (a unit row may have been written by hand): every walk stops at a unit it
 * has already seen.
 */

export type UnitNode = { id: string; parentId: string | null };

export type UnitTreeNode<T extends UnitNode> = T & { children: UnitTreeNode<T>[] };

/** Children of each unit id (roots under the key null), in the list's order. */
export function childrenIndex<T extends UnitNode>(units: readonly T[]): Map<string | null, T[]> {
  const ids = new Set(units.map((u) => u.id));
  const index = new Map<string | null, T[]>();
  for (const u of units) {
    // A parent that does not exist makes the unit a root, so that nothing disappears from the tree.
    const key = u.parentId !== null && ids.has(u.parentId) && u.parentId !== u.id ? u.parentId : null;
    const list = index.get(key);
    if (list) list.push(u);
    else index.set(key, [u]);
  }
  return index;
}

/** The unit and every unit below it (depth first, the unit first); [] when the unit is unknown. */
export function subtreeIds(units: readonly UnitNode[], rootId: string): string[] {
  if (!units.some((u) => u.id === rootId)) return [];
  const index = childrenIndex(units);
  const out: string[] = [];
  const seen = new Set<string>();
  const stack = [rootId];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
    const kids = index.get(id) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push((kids[i] as UnitNode).id);
  }
  return out;
}

/** The unit's parents, nearest first, up to its root (cycles cut). */
export function ancestorIds(units: readonly UnitNode[], unitId: string): string[] {
  const parents = new Map(units.map((u) => [u.id, u.parentId]));
  const out: string[] = [];
  const seen = new Set([unitId]);
  let p = parents.get(unitId) ?? null;
  while (p !== null && !seen.has(p) && parents.has(p)) {
    out.push(p);
    seen.add(p);
    p = parents.get(p) ?? null;
  }
  return out;
}

/** Why a unit cannot be put under `parentId`, or null when it can (null parent: it becomes a root). */
export type MoveProblem = 'UnknownParent' | 'OwnParent' | 'Cycle';

export function moveProblem(
  units: readonly UnitNode[],
  unitId: string,
  parentId: string | null,
): MoveProblem | null {
  if (parentId === null) return null;
  if (parentId === unitId) return 'OwnParent';
  if (!units.some((u) => u.id === parentId)) return 'UnknownParent';
  // The new parent may not sit below the unit: the unit would become its own ancestor.
  return subtreeIds(units, unitId).includes(parentId) ? 'Cycle' : null;
}

/** Depth of each unit: 0 for a root (an OPD), 1 for a bidang, 2 for a sub-bagian… */
export function depthOf(units: readonly UnitNode[], unitId: string): number {
  return ancestorIds(units, unitId).length;
}

/** The nested view: roots with their children, recursively, in the list's order. */
export function buildTree<T extends UnitNode>(
  units: readonly T[],
  rootIds?: readonly string[],
): UnitTreeNode<T>[] {
  const index = childrenIndex(units);
  const seen = new Set<string>();
  const grow = (u: T): UnitTreeNode<T> => {
    seen.add(u.id);
    const kids = (index.get(u.id) ?? []).filter((k) => !seen.has(k.id));
    return { ...u, children: kids.map(grow) };
  };
  const roots = rootIds ? units.filter((u) => rootIds.includes(u.id)) : (index.get(null) ?? []);
  return roots.map(grow);
}
