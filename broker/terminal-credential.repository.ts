import type { Db } from '../lib/db/database-client.ts';
import type { TerminalCredential, TerminalDirectory } from './ports.ts';

/** The terminal table as the broker reads it: a terminal's site, secret hash and whether it is active. */
export class TerminalCredentialRepository implements TerminalDirectory {
  constructor(protected readonly db: Db) {}

  findTerminal(id: string): Promise<TerminalCredential | null> {
    return this.db.prisma.terminal.findUnique({
      where: { id },
      select: { id: true, siteId: true, secretHash: true, active: true },
    });
  }
}
