import { z } from 'zod';
import { DESCRIPTOR_KINDS } from '../../face/descriptor-models.ts';
import { KioskSettings } from '../../protocol/index.ts';
import { AppError } from '../errors.ts';
import type { SiteFaceService } from '../faces/site-face.service.ts';
import type { Db } from '../repositories/db.ts';
import type { TerminalConfigService } from '../services/terminal-config.service.ts';
import { parse, type RouteModule } from './router.ts';

const FaceModel = z
  .enum(DESCRIPTOR_KINDS)
  .describe('descriptor model of the site’s templates and kiosks (docs/FACE-ENGINE.md)');

export const SiteUpdate = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    timeZone: z.enum(['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura']).optional(),
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

/** Sites: their time zone and kiosk settings; a change is pushed to the site's kiosks as retained config. */
export const siteRoutes =
  (db: Db, configs: TerminalConfigService, faces: SiteFaceService): RouteModule =>
  (route) => {
    const view = async <T extends { id: string; kioskSettings: string | null }>(s: T) => ({
      ...s,
      kioskSettings: configs.kioskSettingsOf(s),
      ...(await faces.settings(s.id)),
    });
    route(
      'get',
      '/api/sites',
      { summary: 'Sites with their time zone and kiosk settings (face model, photo evidence, kiosk tuning)' },
      async () => Promise.all((await db.prisma.site.findMany({ orderBy: { id: 'asc' } })).map(view)),
    );
    route(
      'patch',
      '/api/sites/:id',
      {
        summary: 'Change a site; its kiosks get the new config (and a new face model’s gallery) at once',
        body: SiteUpdate,
        roles: ADMINS,
      },
      async (req) => {
        const id = String(req.params.id);
        const { faceModel, photoEvidence, kioskSettings, ...data } = parse(SiteUpdate, req.body);
        const exists = await db.prisma.site.findUnique({ where: { id } });
        if (!exists) throw new AppError('NOT_FOUND', `site ${id} not found`);
        // The switch first: a refusal (409) leaves every setting as it was.
        const faceModelSwitch = faceModel === undefined ? undefined : await faces.switchModel(id, faceModel);
        const evidence =
          photoEvidence === undefined ? undefined : await faces.setPhotoEvidence(id, photoEvidence);
        // A threshold or margin is stored with the model it is for (the site's, after any switch above).
        const tuning =
          kioskSettings === undefined
            ? {}
            : {
                kioskSettings:
                  kioskSettings === null
                    ? null
                    : JSON.stringify(
                        configs.withModel(kioskSettings, { faceModel: faceModel ?? exists.faceModel }),
                      ),
              };
        const site = await db.prisma.site.update({ where: { id }, data: { ...data, ...tuning } });
        const terminals = await configs.sendToSite(id);
        return {
          ...(await view(site)),
          configSentTo: terminals,
          ...(faceModelSwitch ? { faceModelSwitch } : {}),
          ...(evidence ? { photoEvidenceChange: evidence } : {}),
        };
      },
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
        return faces.switchModel(String(req.params.id), b.model, { dryRun: b.dryRun, confirm: b.confirm });
      },
    );
  };
