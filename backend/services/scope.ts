import { AppError } from '../errors.ts';
import type { Role, Session } from './tokens.ts';

/** Which units a caller may see: all (BKD, super admin) or their own unit only. */
export type Scope = { all: true } | { all: false; unitIds: string[] };

export function scopeOf(s: Session): Scope {
  if (s.role === 'SUPERADMIN' || s.role === 'BKD') return { all: true };
  return { all: false, unitIds: s.unitId ? [s.unitId] : [] };
}

export function inScope(scope: Scope, unitId: string): boolean {
  return scope.all || scope.unitIds.includes(unitId);
}

export function requireRole(s: Session, roles: readonly Role[]): void {
  if (!roles.includes(s.role)) throw new AppError('FORBIDDEN', `role ${s.role} may not do this`);
}
