import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { Db } from '../repositories/db.ts';
import type { TerminalConfigService } from '../services/terminal-config.service.ts';
import { parse, type RouteModule } from './router.ts';

export const SiteUpdate = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    timeZone: z.enum(['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura']).optional(),
    livenessLevel: z
      .enum(['off', 'active', 'strict'])
      .optional()
      .describe('liveness check the site’s kiosks require'),
  })
  .strict();

/** Sites: their time zone and kiosk settings; a change is pushed to the site's kiosks as retained config. */
export const siteRoutes =
  (db: Db, configs: TerminalConfigService): RouteModule =>
  (route) => {
    route('get', '/api/sites', { summary: 'Sites with their time zone and kiosk settings' }, async () =>
      db.prisma.site.findMany({ orderBy: { id: 'asc' } }),
    );
    route(
      'patch',
      '/api/sites/:id',
      {
        summary: 'Change a site; its kiosks get the new config at once',
        body: SiteUpdate,
        roles: ['SUPERADMIN', 'BKD'],
      },
      async (req) => {
        const id = String(req.params.id);
        const data = parse(SiteUpdate, req.body);
        const exists = await db.prisma.site.findUnique({ where: { id } });
        if (!exists) throw new AppError('NOT_FOUND', `site ${id} not found`);
        const site = await db.prisma.site.update({ where: { id }, data });
        const terminals = await configs.sendToSite(id);
        return { ...site, configSentTo: terminals };
      },
    );
  };
