import { randomBytes } from 'node:crypto';
import type { DescriptorKind } from '../../face/descriptor-models.ts';
import type { KioskSettings } from '../../protocol/index.ts';
import { slugOf } from '../domain/slug.ts';
import { AppError } from '../errors.ts';
import type { SiteFaceService } from '../faces/site-face.service.ts';
import type { SiteRepository } from '../repositories/site.repository.ts';
import type { TerminalConfigService } from './terminal-config.service.ts';

export type SitePatch = {
  name?: string | undefined;
  timeZone?: string | undefined;
  livenessLevel?: string | undefined;
  faceModel?: DescriptorKind | undefined;
  photoEvidence?: boolean | undefined;
  /** The whole kiosk tuning (replaces the stored one); null clears it. */
  kioskSettings?: KioskSettings | null | undefined;
  address?: string | null | undefined;
  latitude?: number | null | undefined;
  longitude?: number | null | undefined;
};

export type SiteInput = {
  id?: string | undefined;
  name: string;
  timeZone: string;
  address?: string | null | undefined;
  latitude?: number | null | undefined;
  longitude?: number | null | undefined;
};

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'P2002';
}

/** Sites: their time zone and kiosk settings; a change is pushed to the site's kiosks as retained config. */
export class SiteService {
  constructor(
    private readonly sites: SiteRepository,
    private readonly configs: TerminalConfigService,
    private readonly faces: SiteFaceService,
  ) {}

  private async view<T extends { id: string; kioskSettings: string | null }>(s: T) {
    return { ...s, kioskSettings: this.configs.kioskSettingsOf(s), ...(await this.faces.settings(s.id)) };
  }

  async list() {
    return Promise.all((await this.sites.list()).map((s) => this.view(s)));
  }

  async get(id: string) {
    const s = await this.sites.find(id);
    if (!s) throw new AppError('NOT_FOUND', `site ${id} not found`);
    return this.view(s);
  }

  /** A new site (an office with kiosks) in one of Indonesia's three zones. */
  async create(input: SiteInput) {
    const id = input.id ?? (await this.freeId(input.name));
    try {
      const s = await this.sites.create({
        id,
        name: input.name,
        timeZone: input.timeZone,
        address: input.address ?? null,
        latitude: input.latitude ?? null,
        longitude: input.longitude ?? null,
      });
      return this.view(s);
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('CONFLICT', `site ${id} already exists`, { cause: err });
      throw err;
    }
  }

  /**
   * Deactivates or reactivates a site. An inactive site registers no new kiosk; its kiosks keep
   * working (punches, config, gallery) until each is deactivated itself.
   */
  async setActive(id: string, active: boolean) {
    if (!(await this.sites.find(id))) throw new AppError('NOT_FOUND', `site ${id} not found`);
    return this.view(await this.sites.update(id, { active }));
  }

  private async freeId(name: string): Promise<string> {
    const base = slugOf(name, 'site');
    return (await this.sites.find(base)) ? `${base}-${randomBytes(3).toString('hex')}` : base;
  }

  /** Changes a site; its kiosks get the new config (and a new face model's gallery) at once. */
  async update(id: string, patch: SitePatch) {
    const { faceModel, photoEvidence, kioskSettings, ...data } = patch;
    const exists = await this.sites.find(id);
    if (!exists) throw new AppError('NOT_FOUND', `site ${id} not found`);
    const lat = data.latitude === undefined ? exists.latitude : data.latitude;
    const lon = data.longitude === undefined ? exists.longitude : data.longitude;
    if ((lat === null) !== (lon === null)) {
      throw new AppError(
        'VALIDATION',
        `${lat === null ? 'latitude' : 'longitude'}: give both coordinates, or neither`,
      );
    }
    // The switch first: a refusal (409) leaves every setting as it was.
    const faceModelSwitch = faceModel === undefined ? undefined : await this.faces.switchModel(id, faceModel);
    const evidence =
      photoEvidence === undefined ? undefined : await this.faces.setPhotoEvidence(id, photoEvidence);
    // A threshold or margin is stored with the model it is for (the site's, after any switch above).
    const tuning =
      kioskSettings === undefined
        ? {}
        : {
            kioskSettings:
              kioskSettings === null
                ? null
                : JSON.stringify(
                    this.configs.withModel(kioskSettings, { faceModel: faceModel ?? exists.faceModel }),
                  ),
          };
    const site = await this.sites.update(id, { ...data, ...tuning });
    const terminals = await this.configs.sendToSite(id);
    return {
      ...(await this.view(site)),
      configSentTo: terminals,
      ...(faceModelSwitch ? { faceModelSwitch } : {}),
      ...(evidence ? { photoEvidenceChange: evidence } : {}),
    };
  }

  /** Switches the site's face model: templates re-derived from kept crops (see SiteFaceService). */
  switchFaceModel(id: string, model: DescriptorKind, opts: { dryRun: boolean; confirm: boolean }) {
    return this.faces.switchModel(id, model, opts);
  }
}
