import { z } from 'zod';
import type { UnitService } from '../services/unit.service.ts';
import { EntityId, UnitCreate, UnitQuery, UnitUpdate, UnitView } from './org.dto.ts';
import { parse, type RouteModule } from './router.ts';

const WRITERS = ['SUPERADMIN', 'BKD', 'OPD_ADMIN'] as const;
const id = (p: unknown) => parse(EntityId, p);

/**
 * The organisation's units as a tree (OPD → bidang → sub-bagian). Everyone reads their scope (all,
 * or their unit and below); SUPERADMIN and BKD change any unit, an OPD admin the units below their own.
 */
export const unitRoutes =
  (units: UnitService): RouteModule =>
  (route) => {
    route(
      'get',
      '/api/units',
      {
        summary: 'Units in the caller’s scope: a flat list with parentId and depth, or nested with ?tree=1',
        query: UnitQuery,
        response: z.array(
          UnitView.extend({
            children: z
              .array(z.unknown())
              .optional()
              .describe('with ?tree=1 only: the units below, each of this same shape'),
          }),
        ),
      },
      (req, s) => units.list(s, parse(UnitQuery, req.query)),
    );
    route(
      'get',
      '/api/units/:id',
      {
        summary: 'One unit, with the ids of every unit below it (subUnitIds)',
        response: UnitView.extend({ subUnitIds: z.array(z.string()) }),
      },
      (req, s) => units.get(s, id(req.params.id)),
    );
    route(
      'post',
      '/api/units',
      {
        summary:
          'Create a unit under parentId (none: a root, an OPD). 400 naming the field for an empty name or an unknown or deactivated parent',
        body: UnitCreate,
        roles: WRITERS,
        status: 201,
        response: UnitView,
      },
      (req, s) => units.create(s, parse(UnitCreate, req.body)),
    );
    route(
      'patch',
      '/api/units/:id',
      {
        summary:
          'Rename and/or move a unit with its subtree; 400 naming parentId for an unknown parent or one below the unit (a cycle)',
        body: UnitUpdate,
        roles: WRITERS,
        response: UnitView,
      },
      (req, s) => units.update(s, id(req.params.id), parse(UnitUpdate, req.body)),
    );
    route(
      'post',
      '/api/units/:id/deactivate',
      {
        summary:
          'Deactivate a unit and every unit below it: kept with its history; no new sub-units or users in it',
        roles: WRITERS,
        response: UnitView.extend({ deactivated: z.array(z.string()).describe('the units deactivated') }),
      },
      (req, s) => units.deactivate(s, id(req.params.id)),
    );
    route(
      'post',
      '/api/units/:id/reactivate',
      {
        summary: 'Reactivate a unit (not its sub-units); 409 while its parent is deactivated',
        roles: WRITERS,
        response: UnitView,
      },
      (req, s) => units.reactivate(s, id(req.params.id)),
    );
    route(
      'delete',
      '/api/units/:id',
      {
        summary:
          'Delete an unused unit; 409 when anything refers to it (sub-units, employees, users, schedule assignments, daily records…): deactivate it instead',
        roles: WRITERS,
        status: 204,
      },
      async (req, s) => {
        await units.remove(s, id(req.params.id));
      },
    );
  };
