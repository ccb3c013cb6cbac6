import { TerminalCredentialRepository } from '../../broker/terminal-credential.repository.ts';

/** Terminals: registration, listing, status; `findTerminal` (the broker's lookup) comes from its base. */
export class TerminalRepository extends TerminalCredentialRepository {
  create(data: { id: string; name: string; siteId: string; secretHash: string }) {
    return this.db.prisma.terminal.create({ data });
  }

  list(siteIds?: string[]) {
    return this.db.prisma.terminal.findMany({
      where: siteIds ? { siteId: { in: siteIds } } : {},
      orderBy: { createdAt: 'asc' },
      select: {
        id: true,
        name: true,
        siteId: true,
        active: true,
        online: true,
        lastStatus: true,
        lastStatusAt: true,
        createdAt: true,
      },
    });
  }

  /** A terminal with its site, for the config it is sent. */
  findWithSite(id: string) {
    return this.db.prisma.terminal.findUnique({ where: { id }, include: { site: true } });
  }

  async idsOfSite(siteId: string): Promise<string[]> {
    const ts = await this.db.prisma.terminal.findMany({ where: { siteId }, select: { id: true } });
    return ts.map((t) => t.id);
  }

  /** The sites that have at least one terminal. */
  async siteIdsInUse(): Promise<string[]> {
    const rows = await this.db.prisma.terminal.findMany({ distinct: ['siteId'], select: { siteId: true } });
    return rows.map((r) => r.siteId);
  }

  /** Stores a kiosk's status; returns the one it replaces (null for an unknown terminal). */
  async recordStatus(
    id: string,
    online: boolean,
    statusJson: string,
    at: Date,
  ): Promise<{ lastStatus: string | null; lastStatusAt: Date | null } | null> {
    const previous = await this.db.prisma.terminal.findUnique({
      where: { id },
      select: { lastStatus: true, lastStatusAt: true },
    });
    await this.db.prisma.terminal.updateMany({
      where: { id },
      data: { online, lastStatus: statusJson, lastStatusAt: at },
    });
    return previous;
  }
}
