import { statfs } from 'node:fs/promises';
import type { Db } from './db.ts';

/** What /api/health probes: a real write to the database, and the free space where the data lives. */
export class HealthRepository {
  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
  ) {}

  /** Rewrites this instance's heartbeat row: fails when the database refuses writes (disk full, read-only). */
  async beat(instanceId: string, at: Date): Promise<void> {
    await this.db.prisma.healthHeartbeat.upsert({
      where: { instanceId },
      create: { instanceId, at },
      update: { at },
    });
  }

  /** Bytes an unprivileged process may still write on DATA_DIR's file system. */
  async freeBytes(): Promise<number> {
    const s = await statfs(this.dataDir);
    return s.bavail * s.bsize;
  }
}
