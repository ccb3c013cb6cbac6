/** Leave and permits, with their approval. */
import type { LeaveService } from '../attendance/leave.service.ts';
import { scopeOf } from '../services/scope.ts';
import { LeaveCreate, LeaveDecision, LeavePatch, LeaveQuery } from './attendance.dto.ts';
import { parse, type RouteModule } from './router.ts';

const ADMINS = ['SUPERADMIN', 'BKD', 'OPD_ADMIN'] as const;
const DECIDERS = ['SUPERADMIN', 'BKD', 'OPD_ADMIN', 'SUPERVISOR'] as const;

export const leaveRoutes =
  (d: { leave: LeaveService }): RouteModule =>
  (route) => {
    route('get', '/api/leave', { summary: 'Leave in your scope', query: LeaveQuery }, (req, s) =>
      d.leave.list(parse(LeaveQuery, req.query), scopeOf(s)),
    );
    route(
      'post',
      '/api/leave',
      {
        summary: 'Request leave or a permit (pending until decided)',
        body: LeaveCreate,
        roles: ADMINS,
        status: 201,
      },
      (req, s) => d.leave.create(parse(LeaveCreate, req.body), s, scopeOf(s)),
    );
    route(
      'patch',
      '/api/leave/:id',
      {
        summary: 'Edit a leave: its letter at any time, terms while pending',
        body: LeavePatch,
        roles: ADMINS,
      },
      (req, s) => d.leave.update(String(req.params.id), parse(LeavePatch, req.body), scopeOf(s)),
    );
    route(
      'post',
      '/api/leave/:id/decision',
      {
        summary: 'Approve, reject or cancel a leave; its days are recomputed',
        body: LeaveDecision,
        roles: DECIDERS,
      },
      (req, s) => d.leave.decide(String(req.params.id), parse(LeaveDecision, req.body), s, scopeOf(s)),
    );
    route(
      'delete',
      '/api/leave/:id',
      { summary: 'Delete a leave that excuses nothing (not approved)', roles: ADMINS },
      (req, s) => d.leave.delete(String(req.params.id), scopeOf(s)),
    );
  };
