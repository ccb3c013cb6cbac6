/**
 * `/api/policy-profiles/assignments` and `/api/units/:id/profile`: policy profiles per unit
 * (issue #11, point 5). Registered before `profileRoutes`, whose `/api/policy-profiles/:id/:version`
 * would otherwise take `DELETE /api/policy-profiles/assignments/:id`.
 */
import type { ProfileAssignmentService } from '../attendance/profile-assignment.service.ts';
import {
  ProfileAssignmentCreate,
  ProfileAssignmentQuery,
  ProfileAssignmentView,
  UnitProfileQuery,
  UnitProfileView,
} from './profile-assignment.dto.ts';
import { parse, type RouteModule } from './router.ts';

const REGION = ['SUPERADMIN', 'BKD'] as const;

export const profileAssignmentRoutes =
  (d: { assignments: ProfileAssignmentService }): RouteModule =>
  (route) => {
    route(
      'get',
      '/api/policy-profiles/assignments',
      {
        summary: 'Policy profile assignments to units (all, or one unit’s)',
        query: ProfileAssignmentQuery,
        response: ProfileAssignmentView.array(),
      },
      (req) => d.assignments.list(parse(ProfileAssignmentQuery, req.query).unitId),
    );
    route(
      'post',
      '/api/policy-profiles/assignments',
      {
        summary:
          'Assign a profile lineage to a unit (and its sub-units) from a date; recomputes the affected days',
        body: ProfileAssignmentCreate,
        response: ProfileAssignmentView,
        roles: REGION,
        status: 201,
      },
      (req, s) => d.assignments.create(parse(ProfileAssignmentCreate, req.body), s.sub),
    );
    route(
      'delete',
      '/api/policy-profiles/assignments/:id',
      {
        summary: 'Remove a profile assignment (not one that applied to a locked month); recomputes',
        response: ProfileAssignmentView,
        roles: REGION,
      },
      (req, s) => d.assignments.remove(String(req.params.id), s.sub),
    );
    route(
      'get',
      '/api/units/:id/profile',
      {
        summary: 'The policy profile that applies to a unit on a date, and the unit it is inherited from',
        query: UnitProfileQuery,
        response: UnitProfileView,
      },
      (req) => d.assignments.unitProfile(String(req.params.id), parse(UnitProfileQuery, req.query).date),
    );
  };
