/**
 * /api/health, honestly (issue #12, finding 10): each dependency is probed and reported on its own;
 * any failing one makes the answer 503 and is named in `failing`.
 * - database: a heartbeat row written (a read alone passes with the disk full);
 * - disk: free space of DATA_DIR (SQLite, secrets, crop key) against HEALTH_MIN_FREE_MB;
 * - broker: the backend's own MQTT link (punches in, acks out) is connected.
 */
import type { HealthRepository } from '../repositories/health.repository.ts';

export type HealthReport = {
  status: 'ok' | 'degraded';
  failing: string[];
  db: 'ok' | 'down';
  disk: 'ok' | 'low' | 'unknown';
  broker: 'ok' | 'down';
  checks: {
    database: { ok: boolean; writable: boolean; error?: string };
    disk: { ok: boolean; freeMb: number | null; minFreeMb: number };
    broker: { ok: boolean };
  };
};

const PROBE_TIMEOUT_MS = 3000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export class HealthService {
  constructor(
    private readonly repo: HealthRepository,
    private readonly opts: { instanceId: string; minFreeMb: number; brokerConnected: () => boolean },
  ) {}

  async report(): Promise<HealthReport> {
    const [database, disk] = await Promise.all([this.database(), this.disk()]);
    const broker = { ok: this.opts.brokerConnected() };
    const failing = [
      ...(database.ok ? [] : ['database']),
      ...(disk.ok ? [] : ['disk']),
      ...(broker.ok ? [] : ['broker']),
    ];
    return {
      status: failing.length === 0 ? 'ok' : 'degraded',
      failing,
      db: database.ok ? 'ok' : 'down',
      disk: disk.freeMb === null ? 'unknown' : disk.ok ? 'ok' : 'low',
      broker: broker.ok ? 'ok' : 'down',
      checks: { database, disk, broker },
    };
  }

  private async database(): Promise<HealthReport['checks']['database']> {
    try {
      await withTimeout(this.repo.beat(this.opts.instanceId, new Date()), PROBE_TIMEOUT_MS);
      return { ok: true, writable: true };
    } catch (err) {
      // The kind of failure, not its text (which may name files or hosts).
      const code =
        typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'unavailable';
      return { ok: false, writable: false, error: code };
    }
  }

  private async disk(): Promise<HealthReport['checks']['disk']> {
    const minFreeMb = this.opts.minFreeMb;
    try {
      const freeMb = Math.floor((await this.repo.freeBytes()) / 1_048_576);
      return { ok: freeMb >= minFreeMb, freeMb, minFreeMb };
    } catch {
      return { ok: false, freeMb: null, minFreeMb };
    }
  }
}
