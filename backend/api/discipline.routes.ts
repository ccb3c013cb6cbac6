/** `/api/discipline` (PP 94/2021 cases) and `/api/policy-profiles`. */
import { z } from 'zod';
import type { DisciplineService } from '../attendance/discipline.service.ts';
import type { ProfileService } from '../attendance/profile.service.ts';
import { policyProfileSchema } from '../domain/index.ts';
import { scopeOf } from '../services/scope.ts';
import { DisciplineDecision, DisciplineQuery } from './attendance.dto.ts';
import { DisciplineCaseDetailOut, DisciplineCaseOut } from './discipline.dto.ts';
import { parse, type RouteModule } from './router.ts';

const REGION = ['SUPERADMIN', 'BKD'] as const;

export const disciplineRoutes =
  (d: { discipline: DisciplineService }): RouteModule =>
  (route) => {
    route(
      'get',
      '/api/discipline',
      {
        summary:
          'Discipline cases (open by default), one row per case at its current level: rule (basis), ' +
          'threshold, level, recommended sanction, TK days, who is told, review flag, decision. One open ' +
          'case per employee, rule and year: a heavier level escalates it (GET /api/discipline/{id} ' +
          'shows the levels it went through); after a decision, a heavier level opens a new case ' +
          '(previousCaseId)',
        query: DisciplineQuery,
        response: z.array(DisciplineCaseOut),
      },
      (req, s) => {
        const q = parse(DisciplineQuery, req.query);
        return d.discipline.list(scopeOf(s), { ...q, state: q.state === 'All' ? undefined : q.state });
      },
    );
    route(
      'get',
      '/api/discipline/:id',
      {
        summary:
          'A discipline case with its history (levels): each level reached, lightest first, with its ' +
          'threshold, sanction, label, TK days when recorded, the date of the TK day that reached it ' +
          '(reachedOn), when it was recorded (reachedAt) and superseded (supersededAt; null for the ' +
          'current level), and who was told of it (notified; empty for a level passed in one go)',
        response: DisciplineCaseDetailOut,
      },
      (req, s) => d.discipline.get(String(req.params.id), scopeOf(s)),
    );
    route(
      'post',
      '/api/discipline/:id/decision',
      {
        summary:
          'Record the decision taken on a case at its current level (medium and heavy: BKD); the case ' +
          'leaves the open set, and a heavier level later opens a new case',
        body: DisciplineDecision,
        response: DisciplineCaseOut,
        roles: ['SUPERADMIN', 'BKD', 'OPD_ADMIN', 'SUPERVISOR'],
      },
      (req, s) =>
        d.discipline.decide(String(req.params.id), parse(DisciplineDecision, req.body), s, scopeOf(s)),
    );
  };

export const profileRoutes =
  (d: { profiles: ProfileService }): RouteModule =>
  (route) => {
    route('get', '/api/policy-profiles', { summary: 'Policy profiles, every version' }, () =>
      d.profiles.list(),
    );
    route(
      'get',
      '/api/policy-profiles/template',
      { summary: 'The shipped default profile, to copy and edit' },
      () => Promise.resolve(d.profiles.template()),
    );
    route(
      'post',
      '/api/policy-profiles',
      {
        summary: 'Publish a profile version; it applies from its effective date, never to a locked month',
        body: policyProfileSchema,
        roles: REGION,
        status: 201,
      },
      (req, s) => d.profiles.publish(req.body, s.sub),
    );
    route(
      'delete',
      '/api/policy-profiles/:id/:version',
      { summary: 'Withdraw a version not yet in force', roles: REGION },
      (req) => d.profiles.withdraw(String(req.params.id), Number(req.params.version)),
    );
  };
