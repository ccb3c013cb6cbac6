import { subtreeIds } from '../domain/unit-tree.ts';
import type { UnitRepository, UnitRow } from '../repositories/unit.repository.ts';

/**
 * The unit tree as this process last read it: one query, kept `ttlMs` (other backend instances'
 * changes show after that), dropped at once when this process changes a unit (`invalidate`) and
 * re-read when a unit asked for is not in it (a unit created elsewhere a moment ago).
 */
export class UnitTreeService {
  private cached: { at: number; units: Promise<UnitRow[]> } | undefined;

  constructor(
    private readonly repo: UnitRepository,
    private readonly ttlMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  units(): Promise<UnitRow[]> {
    const t = this.now();
    if (!this.cached || t - this.cached.at > this.ttlMs) {
      const units = this.repo.list();
      this.cached = { at: t, units };
      // A failed read is not kept: the next call tries again.
      units.catch(() => {
        if (this.cached?.units === units) this.cached = undefined;
      });
    }
    return this.cached.units;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  /** The unit and every unit below it; [unitId] alone when the unit is not (or no longer) stored. */
  async subtreeOf(unitId: string): Promise<string[]> {
    let units = await this.units();
    if (!units.some((u) => u.id === unitId)) {
      this.invalidate();
      units = await this.units();
    }
    const ids = subtreeIds(units, unitId);
    return ids.length > 0 ? ids : [unitId];
  }
}
