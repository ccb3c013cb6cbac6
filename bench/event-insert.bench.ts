/**
 * `npx tsx bench/event-insert.bench.ts`: why the SQLite ingest path bypasses
 * Prisma. Inserts 1,000-punch batches into one SQLite file through Prisma's
 * raw multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING` and through the
 * better-sqlite3 writer, alternating, and prints the median per batch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 } from 'uuid';
import { migrateDatabase, openDatabase } from '../backend/db/database.ts';
import type { EventRow } from '../backend/ingest/ports.ts';
import { EventRepository } from '../backend/repositories/event.repository.ts';
import { SqliteEventWriter } from '../backend/repositories/sqlite-event-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'att-insert-'));
const file = join(dir, 'a.db');
await migrateDatabase(`file:${file}`);
const db = await openDatabase(`file:${file}`);
const writer = new SqliteEventWriter(file);
const repos = { prisma: new EventRepository(db), 'better-sqlite3': new EventRepository(db, writer) };
const batch = (): EventRow[] =>
  Array.from({ length: 1000 }, (_, i) => ({
    id: v7(),
    terminalId: 'k1',
    seq: i + 1,
    employeeId: '199001012015011001',
    method: 'face',
    capturedAt: new Date(),
    receivedAt: new Date(),
    score: 0.9,
    distance: 0.4,
    clockSynced: true,
    clockOffsetMs: 3,
    skewMs: 12,
    liveness: null,
    unknownEmployee: false,
    clockSkew: false,
  }));
const times: Record<string, number[]> = { prisma: [], 'better-sqlite3': [] };
for (let k = 0; k < 11; k++) {
  for (const [name, repo] of Object.entries(repos)) {
    const rows = batch();
    const t0 = performance.now();
    await repo.insertEvents(rows);
    if (k > 0) times[name]?.push(performance.now() - t0); // the first round warms up
  }
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const p = med(times.prisma ?? []);
const b = med(times['better-sqlite3'] ?? []);
console.log(
  `1,000-punch batch, median of 10: prisma raw ${p.toFixed(1)} ms, better-sqlite3 ${b.toFixed(1)} ms, ratio ${(p / b).toFixed(1)}×`,
);
writer.close();
await db.close();
rmSync(dir, { recursive: true, force: true });
