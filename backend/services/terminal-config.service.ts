import { type ConfigPayload, PROTOCOL_VERSION } from '../../protocol/index.ts';
import type { Db } from '../repositories/db.ts';

export interface ConfigPublisher {
  publish(terminalId: string, payload: string): Promise<void>;
}

/** Builds and sends a terminal's retained config (site, time zone, server time, matching settings). */
export class TerminalConfigService {
  constructor(
    private readonly db: Db,
    private readonly publisher: ConfigPublisher,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async build(terminalId: string): Promise<ConfigPayload | null> {
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
    };
  }

  /** After a site's settings change: every terminal of the site gets its new config. */
  async sendToSite(siteId: string): Promise<number> {
    const ts = await this.db.prisma.terminal.findMany({ where: { siteId }, select: { id: true } });
    for (const t of ts) await this.sendTo(t.id);
    return ts.length;
  }

  async sendTo(terminalId: string): Promise<boolean> {
    const cfg = await this.build(terminalId);
    if (!cfg) return false;
    await this.publisher.publish(terminalId, JSON.stringify(cfg));
    return true;
  }
}
