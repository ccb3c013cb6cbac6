/**
 * The one place that says which policy profile applies to an employee's day (issue #11, point 5):
 * the day records of a recompute, the month close (its day records and allowances), the
 * recomputation of a locked month for an adjustment, and the unit view (GET
 * /api/units/:id/profile) all ask here, so they agree for the same day. Discipline counts the
 * absences of those day records. Pure: no I/O; look-ups are memoised per rules context.
 *
 * Its input is the unit the employee belongs to on each date (`UnitOnDate`): one unit for every
 * date, or a function of the date once units are effective-dated.
 */
import {
  type IsoDate,
  indexProfiles,
  type PolicyProfile,
  type ProfileIndex,
  type ProfileSource,
  type ResolvedProfile,
  resolveProfile,
} from '../domain/index.ts';
import { type RulesContext, unitChain } from './rules-context.ts';

/** The unit an employee belongs to: the same on every date, or per date. */
export type UnitOnDate = string | ((date: IsoDate) => string);

type State = {
  index: ProfileIndex;
  /** Per unit ('' = none: the default), per date. */
  resolved: Map<string, Map<IsoDate, ResolvedProfile>>;
  /** One source per unit, so that a month close shares a unit's days between its employees. */
  sources: Map<string, (date: IsoDate) => PolicyProfile>;
};
const states = new WeakMap<RulesContext, State>();

function stateOf(ctx: RulesContext): State {
  let s = states.get(ctx);
  if (!s) {
    s = {
      index: indexProfiles(ctx.profiles, ctx.profileAssignments ?? []),
      resolved: new Map(),
      sources: new Map(),
    };
    states.set(ctx, s);
  }
  return s;
}

/**
 * The profile of `date` for someone whose unit on that date is `unitId` (null: the region-wide
 * default), with the unit whose assignment it comes from (null: the default).
 */
export function profileFor(ctx: RulesContext, unitId: string | null, date: IsoDate): ResolvedProfile {
  const s = stateOf(ctx);
  const key = unitId ?? '';
  let byDate = s.resolved.get(key);
  if (!byDate) {
    byDate = new Map();
    s.resolved.set(key, byDate);
  }
  let r = byDate.get(date);
  if (!r) {
    r = resolveProfile(s.index, unitId === null ? [] : unitChain(ctx, unitId), date);
    byDate.set(date, r);
  }
  return r;
}

function unitSource(ctx: RulesContext, unitId: string | null): (date: IsoDate) => PolicyProfile {
  const s = stateOf(ctx);
  const key = unitId ?? '';
  let source = s.sources.get(key);
  if (!source) {
    source = (date) => profileFor(ctx, unitId, date).profile;
    s.sources.set(key, source);
  }
  return source;
}

/** An employee's profiles as the engine takes them: per date, through the unit of that date. */
export function employeeProfiles(ctx: RulesContext, unitOn: UnitOnDate): ProfileSource {
  if (typeof unitOn === 'string') return unitSource(ctx, unitOn);
  return (date) => profileFor(ctx, unitOn(date), date).profile;
}

/** The region-wide default: what applies where no unit up the tree has an assignment. */
export function defaultProfiles(ctx: RulesContext): ProfileSource {
  return unitSource(ctx, null);
}
