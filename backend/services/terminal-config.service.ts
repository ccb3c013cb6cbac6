import { type ConfigPayload, type KioskWorkHours, PROTOCOL_VERSION } from '../../protocol/index.ts';
import type { Db } from '../repositories/db.ts';

export interface ConfigPublisher {
  publish(terminalId: string, payload: string): Promise<void>;
}

/** Builds and sends a terminal's retained config (site, time zone, server time, matching settings). */
const HOURS_TTL_MS = 60_000;

export class TerminalConfigService {
  private readonly hoursCache = new Map<string, { at: number; value: Promise<KioskWorkHours> }>();

  constructor(
    private readonly db: Db,
    private readonly publisher: ConfigPublisher,
    private readonly now: () => Date = () => new Date(),
    /** The site's coming work hours (attendance module); without it the kiosk shows no lateness. */
    private readonly hours?: (siteId: string) => Promise<KioskWorkHours>,
  ) {}

  async build(
    terminalId: string,
    hoursOf: (siteId: string) => Promise<KioskWorkHours | undefined> = (s) => this.workHours(s),
  ): Promise<ConfigPayload | null> {
    const t = await this.db.prisma.terminal.findUnique({
      where: { id: terminalId },
      include: { site: true },
    });
    if (!t) return null;
    return {
      v: PROTOCOL_VERSION,
      serverTime: this.now().toISOString(),
      timeZone: t.site.timeZone,
      siteId: t.siteId,
      cooldownSeconds: 60,
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
    const ts = await this.db.prisma.terminal.findMany({ where: { siteId }, select: { id: true } });
    const hours = ts.length > 0 ? await this.workHours(siteId, true) : undefined;
    for (const t of ts) await this.sendTo(t.id, async () => hours);
    return ts.length;
  }

  /** Every site's kiosks get a fresh config: the work hours move on with the days. */
  async refreshAll(): Promise<number> {
    const sites = await this.db.prisma.terminal.findMany({ distinct: ['siteId'], select: { siteId: true } });
    let n = 0;
    for (const s of sites) n += await this.sendToSite(s.siteId);
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
