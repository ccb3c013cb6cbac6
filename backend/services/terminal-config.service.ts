import { type DescriptorKind, isDescriptorKind } from '../../face/descriptor-models.ts';
import type { Logger } from '../../lib/logger.ts';
import {
  type ConfigPayload,
  KioskSettings,
  type KioskWorkHours,
  PROTOCOL_VERSION,
} from '../../protocol/index.ts';
import type { TerminalRepository } from '../repositories/terminal.repository.ts';

export interface ConfigPublisher {
  publish(terminalId: string, payload: string): Promise<void>;
}

const HOURS_TTL_MS = 60_000;
/** The kiosk's cooldown when the site sets none (ConfigPayload's default). */
const DEFAULT_COOLDOWN_SECONDS = 60;

export interface TerminalConfigOptions {
  /** The server's descriptor model (FACE_DESCRIPTOR), for sites without their own `faceModel`. */
  defaultFaceModel: DescriptorKind;
  log: Logger;
  now?: () => Date;
  /** The site's coming work hours (attendance module); without it the kiosk shows no lateness. */
  hours?: (siteId: string) => Promise<KioskWorkHours>;
}

/** Builds and sends a terminal's retained config (site, time zone, server time, face settings, work hours). */
export class TerminalConfigService {
  private readonly hoursCache = new Map<string, { at: number; value: Promise<KioskWorkHours> }>();

  private readonly now: () => Date;
  private readonly hours: ((siteId: string) => Promise<KioskWorkHours>) | undefined;

  constructor(
    private readonly terminals: TerminalRepository,
    private readonly publisher: ConfigPublisher,
    private readonly opts: TerminalConfigOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
    this.hours = opts.hours;
  }

  /**
   * A site's stored kiosk settings (Site.kioskSettings, JSON). A value that no longer parses (edited
   * by hand, or written for another schema) counts as none, with a warning: the kiosks then run on
   * their defaults instead of getting no config at all.
   */
  kioskSettingsOf(site: { id: string; kioskSettings: string | null }): KioskSettings | null {
    if (site.kioskSettings === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(site.kioskSettings);
    } catch (err) {
      this.opts.log.warn({ siteId: site.id, err }, 'stored kiosk settings are not JSON: ignored');
      return null;
    }
    const r = KioskSettings.safeParse(json);
    if (!r.success) {
      const issues = r.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`);
      this.opts.log.warn({ siteId: site.id, issues }, 'stored kiosk settings are invalid: ignored');
      return null;
    }
    return r.data;
  }

  /** The descriptor model a site's kiosks run: its own `faceModel`, else the server's. */
  modelOf(site: { faceModel: string | null }): DescriptorKind {
    return site.faceModel && isDescriptorKind(site.faceModel) ? site.faceModel : this.opts.defaultFaceModel;
  }

  /**
   * Settings about to be stored for a site: a threshold or margin is only meaningful for one
   * descriptor model, so one given without `model` is for the site's model now. Stored with it, it
   * stays labelled with that model after a switch, and kiosks on the new model ignore it.
   */
  withModel(settings: KioskSettings, site: { faceModel: string | null }): KioskSettings {
    const m = settings.match;
    if (!m || m.model !== undefined || (m.threshold === undefined && m.margin === undefined)) return settings;
    return { ...settings, match: { ...m, model: this.modelOf(site) } };
  }

  /** The settings as a kiosk gets them. */
  private faceConfig(site: { id: string; kioskSettings: string | null }) {
    const { cooldownSeconds, match, quality, tracking } = this.kioskSettingsOf(site) ?? {};
    return {
      cooldownSeconds: cooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS,
      ...(match ? { match } : {}),
      ...(quality ? { quality } : {}),
      ...(tracking ? { tracking } : {}),
    };
  }

  async build(
    terminalId: string,
    hoursOf: (siteId: string) => Promise<KioskWorkHours | undefined> = (s) => this.workHours(s),
  ): Promise<ConfigPayload | null> {
    const t = await this.terminals.findWithSite(terminalId);
    if (!t) return null;
    return {
      v: PROTOCOL_VERSION,
      serverTime: this.now().toISOString(),
      timeZone: t.site.timeZone,
      siteId: t.siteId,
      ...this.faceConfig(t.site),
      livenessLevel: t.site.livenessLevel as ConfigPayload['livenessLevel'],
      ...(await hoursOf(t.siteId).then((workHours) => (workHours ? { workHours } : {}))),
    };
  }

  /**
   * A site's work hours, computed at most once a minute: after a broker restart every kiosk of a
   * site reconnects at once, and each would otherwise plan the site's employees anew.
   */
  private workHours(siteId: string, fresh = false): Promise<KioskWorkHours | undefined> {
    if (!this.hours) return Promise.resolve(undefined);
    const now = Date.now();
    const hit = this.hoursCache.get(siteId);
    if (!fresh && hit && now - hit.at < HOURS_TTL_MS) return hit.value;
    const value = this.hours(siteId);
    this.hoursCache.set(siteId, { at: now, value });
    value.catch(() => this.hoursCache.delete(siteId));
    return value;
  }

  /** After a site's settings change: every terminal of the site gets its new config. */
  async sendToSite(siteId: string): Promise<number> {
    const ids = await this.terminals.idsOfSite(siteId);
    const hours = ids.length > 0 ? await this.workHours(siteId, true) : undefined;
    for (const id of ids) await this.sendTo(id, async () => hours);
    return ids.length;
  }

  /** Every site's kiosks get a fresh config: the work hours move on with the days. */
  async refreshAll(): Promise<number> {
    let n = 0;
    for (const siteId of await this.terminals.siteIdsInUse()) n += await this.sendToSite(siteId);
    return n;
  }

  async sendTo(
    terminalId: string,
    hoursOf?: (siteId: string) => Promise<KioskWorkHours | undefined>,
  ): Promise<boolean> {
    const cfg = await this.build(terminalId, hoursOf);
    if (!cfg) return false;
    await this.publisher.publish(terminalId, JSON.stringify(cfg));
    return true;
  }
}
