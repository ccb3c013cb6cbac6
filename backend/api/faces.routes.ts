import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Logger } from '../../lib/logger.ts';
import { AppError } from '../errors.ts';
import type { GalleryService } from '../faces/gallery.service.ts';
import type { DirectoryService } from '../services/directory.service.ts';
import { scopeOf } from '../services/scope.ts';
import { Nip } from './dto.ts';
import { parse, type RouteModule } from './router.ts';

export const EnrollBody = z
  .object({
    photos: z
      .array(z.string().min(100).max(3_000_000).describe('base64 JPEG or PNG'))
      .min(1)
      .max(5)
      .describe('1–5 photos of the employee alone, facing the camera'),
  })
  .strict();

const GalleryQuery = z.object({ since: z.coerce.number().int().min(0).default(0) });
const ADMINS = ['SUPERADMIN', 'BKD', 'OPD_ADMIN'] as const;

export const faceRoutes =
  (gallery: GalleryService, directory: DirectoryService, log: Logger): RouteModule =>
  (route, app) => {
    route(
      'post',
      '/api/employees/:nip/faces',
      {
        summary:
          'Enroll a face from 1–5 photos with the site’s model (face crops kept, encrypted, only with the site’s photo evidence on)',
        body: EnrollBody,
        roles: ADMINS,
        status: 201,
        // Up to 5 base64 photos: the one route with a large body, read only after the login check.
        bodyLimit: 12 * 1024 * 1024,
      },
      async (req, s) => {
        const nip = parse(Nip, req.params.nip);
        const body = parse(EnrollBody, req.body);
        return gallery.enroll(
          nip,
          body.photos.map((p) => Buffer.from(p, 'base64')),
          scopeOf(s),
        );
      },
    );
    route(
      'get',
      '/api/employees/:nip/faces',
      { summary: 'An employee’s face templates (no biometric data)', roles: ADMINS },
      async (req, s) => gallery.list(parse(Nip, req.params.nip), scopeOf(s)),
    );
    route(
      'delete',
      '/api/employees/:nip/faces/:templateId',
      { summary: 'Delete one face template (and its kept crops) everywhere', roles: ADMINS },
      async (req, s) =>
        gallery.remove(parse(Nip, req.params.nip), scopeOf(s), parse(z.uuid(), req.params.templateId)),
    );
    route(
      'delete',
      '/api/employees/:nip/faces',
      { summary: 'Delete all of an employee’s face templates everywhere', roles: ADMINS },
      async (req, s) => gallery.remove(parse(Nip, req.params.nip), scopeOf(s)),
    );

    route(
      'delete',
      '/api/employees/:nip',
      {
        summary:
          'Deactivate an employee and delete their face templates everywhere (attendance history is kept)',
        roles: ADMINS,
      },
      async (req, s) => gallery.deleteEmployee(parse(Nip, req.params.nip), scopeOf(s)),
    );

    // Kiosks pull their site's gallery with their own MQTT credentials (HTTP Basic), never an admin token.
    app.get('/api/kiosk/gallery', async (req: Request, res: Response) => {
      const h = req.get('authorization') ?? '';
      const [user, pass] = h.startsWith('Basic ')
        ? Buffer.from(h.slice(6), 'base64').toString().split(':', 2)
        : [];
      const t = user && pass ? await directory.authenticateTerminal(user, pass) : null;
      if (!t) {
        log.warn({ terminalId: user }, 'gallery pull refused');
        throw new AppError('UNAUTHENTICATED', 'terminal credentials required');
      }
      const q = parse(GalleryQuery, req.query);
      res.json(await gallery.delta(t.siteId, q.since));
    });
  };
