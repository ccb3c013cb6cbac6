/**
 * The discipline_case_levels migration converts existing rows (one case per employee, year and
 * threshold) into one open case per employee, year and rule with the lighter levels in its history,
 * on a real SQLite file and, with PG_TEST_URL, a PostgreSQL database of its own: the migrations
 * before it are applied, rows as the old code wrote them are seeded, then its SQL runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPgDatabase, type DbKind } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';

const NAME = '_discipline_case_levels';

type Exec = { run(sql: string): Promise<void>; rows<T>(sql: string): Promise<T[]>; close(): Promise<void> };

async function connect(kind: DbKind, dir: string): Promise<Exec> {
  if (kind === 'sqlite') {
    const db = new Sqlite(path.join(dir, 'm.db'));
    return {
      run: (sql) => Promise.resolve(void db.exec(sql)),
      rows: <T>(sql: string) => Promise.resolve(db.prepare(sql).all() as T[]),
      close: () => Promise.resolve(void db.close()),
    };
  }
  const client = new pg.Client({ connectionString: await createPgDatabase() });
  await client.connect();
  return {
    run: async (sql) => void (await client.query(sql)),
    rows: async <T>(sql: string) => (await client.query(sql)).rows as T[],
    close: () => client.end(),
  };
}

const at = (d: string) => `'2025-11-${d} 10:00:00'`;
const oldCase = (id: string, nip: string, threshold: string, state: string, opened: string) =>
  `('${id}', '${nip}', 'u', 2025, '${threshold}', 'Light', 's-${threshold}', 'l', 7, 2, NULL, '[]', '${state}', false, ${at(opened)}, ${at(opened)})`;

describeEachDb('discipline_case_levels migration on %s', (kind: DbKind) => {
  let db: Exec;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'absensi-discipline-mig-'));
  const migrations = path.join('prisma', kind, 'migrations');
  const all = fs
    .readdirSync(migrations)
    .filter((d) => fs.existsSync(path.join(migrations, d, 'migration.sql')))
    .sort();
  const mine = all.find((d) => d.endsWith(NAME)) as string;
  const sql = (d: string) => fs.readFileSync(path.join(migrations, d, 'migration.sql'), 'utf8');

  beforeAll(async () => {
    db = await connect(kind, dir);
    for (const d of all.filter((x) => x < mine)) await db.run(sql(d));
    await db.run(`INSERT INTO discipline_case (id, employee_id, unit_id, year, threshold, level, sanction, label,
      tk_days, longest_run, superior_nip, notify, state, review_needed, opened_at, updated_at) VALUES
      ${[
        oldCase('a3', 'E1', 'Cumulative:3', 'Open', '05'),
        oldCase('a4', 'E1', 'Cumulative:4', 'Open', '06'),
        oldCase('a7', 'E1', 'Cumulative:7', 'Open', '10'),
        oldCase('ac', 'E1', 'Consecutive:10', 'Open', '10'),
        oldCase('b3', 'E2', 'Cumulative:3', 'Decided', '05'),
        oldCase('b4', 'E2', 'Cumulative:4', 'Open', '06'),
      ].join(',\n')}`);
    await db.run(`INSERT INTO notification (id, dedupe_key, channel, recipient, kind, title, payload, state,
      next_attempt_at, created_at) VALUES
      ('n1', 'case:a3:user:x', 'Inbox', 'x', 'DisciplineCase', 't', '{"type":"DisciplineCase","caseId":"a3"}', 'Delivered', ${at('05')}, ${at('05')}),
      ('n2', 'case:b3:user:x', 'Inbox', 'x', 'DisciplineCase', 't', '{"type":"DisciplineCase","caseId":"b3"}', 'Delivered', ${at('05')}, ${at('05')})`);
    await db.run(sql(mine));
  });
  afterAll(async () => {
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the heaviest open case of a rule with the lighter ones as superseded levels; decided cases stay', async () => {
    expect(mine).toBeDefined();
    const cases = await db.rows<{
      id: string;
      basis: string;
      threshold: string;
      state: string;
      open_key: string | null;
    }>('SELECT id, basis, threshold, state, open_key FROM discipline_case ORDER BY id');
    expect(cases).toEqual([
      {
        id: 'a7',
        basis: 'Cumulative',
        threshold: 'Cumulative:7',
        state: 'Open',
        open_key: 'E1:2025:Cumulative',
      },
      {
        id: 'ac',
        basis: 'Consecutive',
        threshold: 'Consecutive:10',
        state: 'Open',
        open_key: 'E1:2025:Consecutive',
      },
      { id: 'b3', basis: 'Cumulative', threshold: 'Cumulative:3', state: 'Decided', open_key: null },
      {
        id: 'b4',
        basis: 'Cumulative',
        threshold: 'Cumulative:4',
        state: 'Open',
        open_key: 'E2:2025:Cumulative',
      },
    ]);
    const levels = await db.rows<{
      case_id: string;
      threshold: string;
      superseded: number | boolean;
      sanction: string;
    }>(
      `SELECT case_id, threshold, superseded_at IS NOT NULL AS superseded, sanction FROM discipline_case_level
       ORDER BY case_id, reached_at, threshold`,
    );
    expect(levels.map((l) => [l.case_id, l.threshold, Boolean(l.superseded), l.sanction])).toEqual([
      ['a7', 'Cumulative:3', true, 's-Cumulative:3'],
      ['a7', 'Cumulative:4', true, 's-Cumulative:4'],
      ['a7', 'Cumulative:7', false, 's-Cumulative:7'],
      ['ac', 'Consecutive:10', false, 's-Consecutive:10'],
      ['b3', 'Cumulative:3', false, 's-Cumulative:3'],
      ['b4', 'Cumulative:4', false, 's-Cumulative:4'],
    ]);
    // A notification of a merged case points at the case that now holds its level.
    const notes = await db.rows<{ id: string; payload: string }>(
      'SELECT id, payload FROM notification ORDER BY id',
    );
    expect(notes.map((n) => [n.id, (JSON.parse(n.payload) as { caseId: string }).caseId])).toEqual([
      ['n1', 'a7'],
      ['n2', 'b3'],
    ]);
  });
});
