import { join } from 'node:path';
import Database from 'better-sqlite3';

/** What a kiosk's outbox file holds: every punch id in seq order, and how many are still unacknowledged. */
export function readOutbox(clusterDir: string, terminalId: string): { ids: string[]; pending: number } {
  const db = new Database(join(clusterDir, 'kiosks', `outbox-${terminalId}.db`), { readonly: true });
  try {
    const ids = (db.prepare('SELECT id FROM outbox ORDER BY seq').all() as Array<{ id: string }>).map(
      (r) => r.id,
    );
    const pending = (
      db.prepare('SELECT count(*) AS n FROM outbox WHERE acked_at IS NULL').get() as { n: number }
    ).n;
    return { ids, pending };
  } finally {
    db.close();
  }
}
