import type { DescriptorKind } from '../../face/descriptor-models.ts';
import type { KioskSettings } from '../../protocol/index.ts';
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
};

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

  /** Changes a site; its kiosks get the new config (and a new face model's gallery) at once. */
  async update(id: string, patch: SitePatch) {
    const { faceModel, photoEvidence, kioskSettings, ...data } = patch;
    const exists = await this.sites.find(id);
    if (!exists) throw new AppError('NOT_FOUND', `site ${id} not found`);
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
