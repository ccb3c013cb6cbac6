import { z } from 'zod';
import type { AuthService } from '../services/auth.service.ts';
import type { UserService } from '../services/user.service.ts';
import { LoginAnswer, PasswordChange, PasswordReset, UserCreate, UserUpdate, UserView } from './org.dto.ts';
import { parse, type RouteModule } from './router.ts';

const MANAGERS = ['SUPERADMIN', 'BKD', 'OPD_ADMIN'] as const;
const UserId = z.string().min(1).max(64);
const id = (p: unknown) => parse(UserId, p);

/**
 * Admin users. SUPERADMIN manages everyone, BKD every role but SUPERADMIN, an OPD admin the OPD
 * admins and supervisors of their subtree. Disabling, deleting or a password change revokes the
 * user's sessions at once. Password hashes are never returned.
 */
export const userRoutes =
  (d: { users: UserService; auth: AuthService }): RouteModule =>
  (route) => {
    route(
      'get',
      '/api/users',
      {
        summary: 'Admin users: all for SUPERADMIN and BKD, those of the caller’s subtree for an OPD admin',
        roles: MANAGERS,
        response: z.array(UserView),
      },
      (_req, s) => d.users.list(s),
    );
    route('get', '/api/users/:id', { summary: 'One admin user', response: UserView }, (req, s) =>
      d.users.get(s, id(req.params.id)),
    );
    route(
      'post',
      '/api/users',
      {
        summary:
          'Create an admin user; OPD_ADMIN and SUPERVISOR need a unitId (400 naming unitId when missing or unknown)',
        body: UserCreate,
        roles: MANAGERS,
        status: 201,
        response: UserView,
      },
      (req, s) => d.users.create(s, parse(UserCreate, req.body)),
    );
    route(
      'patch',
      '/api/users/:id',
      {
        summary: 'Change a user’s role, unit or display name',
        body: UserUpdate,
        roles: MANAGERS,
        response: UserView,
      },
      (req, s) => d.users.update(s, id(req.params.id), parse(UserUpdate, req.body)),
    );
    route(
      'post',
      '/api/users/:id/disable',
      {
        summary: 'Disable a user: they cannot log in and every token they hold is refused at once',
        roles: MANAGERS,
        response: UserView,
      },
      (req, s) => d.users.setActive(s, id(req.params.id), false),
    );
    route(
      'post',
      '/api/users/:id/enable',
      {
        summary: 'Enable a disabled user (tokens from before the disable stay refused)',
        roles: MANAGERS,
        response: UserView,
      },
      (req, s) => d.users.setActive(s, id(req.params.id), true),
    );
    route(
      'delete',
      '/api/users/:id',
      { summary: 'Delete a user; their tokens are refused at once', roles: MANAGERS, status: 204 },
      async (req, s) => {
        await d.users.remove(s, id(req.params.id));
      },
    );
    route(
      'post',
      '/api/users/:id/password',
      {
        summary: 'Set another user’s password; their sessions end at once',
        body: PasswordReset,
        roles: MANAGERS,
        response: UserView,
      },
      (req, s) => d.users.resetPassword(s, id(req.params.id), parse(PasswordReset, req.body).newPassword),
    );
    route(
      'post',
      '/api/users/:id/unlock',
      {
        summary:
          'End a login lockout (429 after repeated failed logins): the user’s failed logins are forgotten',
        roles: ['SUPERADMIN', 'BKD'],
        response: z.object({ user: UserView, unlocked: z.boolean().describe('whether there was a lockout') }),
      },
      (req, s) => d.users.unlock(s, id(req.params.id)),
    );
    route(
      'post',
      '/api/auth/password',
      {
        summary:
          'Change one’s own password: every earlier token of the caller is refused; the answer carries a fresh one',
        body: PasswordChange,
        response: LoginAnswer,
      },
      (req, s) => {
        const b = parse(PasswordChange, req.body);
        return d.auth.changeOwnPassword(s, b.currentPassword, b.newPassword);
      },
    );
    route(
      'get',
      '/api/auth/me',
      { summary: 'The caller: their user, and the units they see (scopeUnitIds; absent: all)' },
      async (_req, s) => ({
        ...(await d.users.get(s, s.sub)),
        ...(s.scopeUnitIds ? { scopeUnitIds: s.scopeUnitIds } : {}),
      }),
    );
  };
