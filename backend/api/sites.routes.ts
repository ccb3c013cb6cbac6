import { z } from 'zod';
import { DESCRIPTOR_KINDS } from '../../face/descriptor-models.ts';
import { KioskSettings } from '../../protocol/index.ts';
import type { SiteService } from '../services/site.service.ts';
import { EntityId, SiteCreate, SiteOrgFields } from './org.dto.ts';
import { parse, type RouteModule } from './router.ts';

const FaceModel = z
  .enum(DESCRIPTOR_KINDS)
  .describe('descriptor model of the site’s templates and kiosks (docs/FACE-ENGINE.md)');

export const SiteUpdate = z
  .object({
    ...SiteOrgFields,
    livenessLevel: z
      .enum(['off', 'active', 'strict'])
      .optional()
      .describe('liveness check the site’s kiosks require'),
    faceModel: FaceModel.optional().describe(
      'switch the site’s descriptor model (refused with 409 when someone would need re-enrollment; ' +
        'POST /api/sites/{id}/face-model for dryRun / confirm)',
    ),
    photoEvidence: z
      .boolean()
      .optional()
      .describe(
        'keep encrypted enrollment face crops (needed to re-derive templates on a model switch); off deletes them',
      ),
    kioskSettings: KioskSettings.nullable()
      .optional()
      .describe(
        'face tuning sent to the site’s kiosks in their config: cooldownSeconds, match (threshold, margin, ' +
          'frames, windowMs, model), quality gates, tracking (docs/FACE-ENGINE.md). The whole object replaces ' +
          'the stored one (a setting left out returns to the kiosk default); null clears it. A match threshold ' +
          'or margin without model is stored for the site’s face model at the time',
      ),
  })
  .strict();

export const FaceModelSwitch = z
  .object({
    model: FaceModel,
    dryRun: z.boolean().default(false).describe('only report what would happen'),
    confirm: z
      .boolean()
      .default(false)
      .describe('switch even if employees without kept crops lose their template (they must enroll again)'),
  })
  .strict();

const ADMINS = ['SUPERADMIN', 'BKD'] as const;

const id = (p: unknown) => parse(EntityId, p);

/**
 * Sites: region-wide reference data that every role reads and SUPERADMIN/BKD write: time zone,
 * address, coordinates and kiosk settings; a change is pushed to the site's kiosks as retained config.
 */
export const siteRoutes =
  (sites: SiteService): RouteModule =>
  (route) => {
    route(
      'get',
      '/api/sites',
      { summary: 'Sites with their time zone and kiosk settings (face model, photo evidence, kiosk tuning)' },
      () => sites.list(),
    );
    route('get', '/api/sites/:id', { summary: 'One site' }, (req) => sites.get(id(req.params.id)));
    route(
      'post',
      '/api/sites',
      {
        summary:
          'Create a site in WIB, WITA or WIT (400 naming timeZone for any other zone); several sites in several zones may coexist',
        body: SiteCreate,
        roles: ADMINS,
        status: 201,
      },
      (req) => sites.create(parse(SiteCreate, req.body)),
    );
    route(
      'post',
      '/api/sites/:id/deactivate',
      {
        summary:
          'Deactivate a site: no new kiosk can be registered to it; its kiosks keep working until each is deactivated',
        roles: ADMINS,
      },
      (req) => sites.setActive(id(req.params.id), false),
    );
    route(
      'post',
      '/api/sites/:id/reactivate',
      { summary: 'Reactivate a site: kiosks can be registered to it again', roles: ADMINS },
      (req) => sites.setActive(id(req.params.id), true),
    );
    route(
      'patch',
      '/api/sites/:id',
      {
        summary: 'Change a site; its kiosks get the new config (and a new face model’s gallery) at once',
        body: SiteUpdate,
        roles: ADMINS,
      },
      (req) => sites.update(id(req.params.id), parse(SiteUpdate, req.body)),
    );
    route(
      'post',
      '/api/sites/:id/face-model',
      {
        summary:
          'Switch a site’s face model: templates re-derived from kept crops; 409 naming who would need re-enrollment unless confirm',
        body: FaceModelSwitch,
        roles: ADMINS,
      },
      async (req) => {
        const b = parse(FaceModelSwitch, req.body);
        return sites.switchFaceModel(String(req.params.id), b.model, {
          dryRun: b.dryRun,
          confirm: b.confirm,
        });
      },
    );
  };
