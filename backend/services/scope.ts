import { AppError } from '../errors.ts';
import type { Role, Session } from './tokens.ts';

/** Which units a caller may see: all (BKD, super admin) or their unit and every unit below it. */
export type Scope = { all: true } | { all: false; unitIds: string[] };

/**
 * The caller's scope. An OPD admin or supervisor sees their unit's subtree: the authentication
 * middleware (AuthService.authenticate) puts it on the session as `scopeUnitIds`; a session built
 * without it (no tree at hand) sees its own unit only.
 */
export function scopeOf(s: Session): Scope {
  if (s.role === 'SUPERADMIN' || s.role === 'BKD') return { all: true };
  if (s.scopeUnitIds) return { all: false, unitIds: [...s.scopeUnitIds] };
  return { all: false, unitIds: s.unitId ? [s.unitId] : [] };
}

export function inScope(scope: Scope, unitId: string): boolean {
  return scope.all || scope.unitIds.includes(unitId);
}

/**
 * The units a query may cover: the one asked for (FORBIDDEN when outside the caller's scope), else
 * the caller's own; undefined means every unit.
 */
export function scopedUnits(scope: Scope, unitId: string | undefined): string[] | undefined {
  if (unitId) {
    if (!inScope(scope, unitId)) throw new AppError('FORBIDDEN', `unit ${unitId} is outside your scope`);
    return [unitId];
  }
  return scope.all ? undefined : scope.unitIds;
}

export function requireRole(s: Session, roles: readonly Role[]): void {
  if (!roles.includes(s.role)) throw new AppError('FORBIDDEN', `role ${s.role} may not do this`);
}
