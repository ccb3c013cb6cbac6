/**
 * Bulk writes for the month close: rows travel as one JSON text parameter per chunk and the
 * database unpacks them (SQLite `jsonb_each`, PostgreSQL `json_array_elements`). Prisma's raw
 * queries cost microseconds per bound parameter, so 230 000 day records × 15 columns as
 * placeholders take tens of seconds; as JSON they take one parameter per 4 000 rows.
 *
 * Values in the rows: text and integers as JSON; booleans as true/false; instants as epoch ms,
 * turned by the database into what each provider stores for a DateTime (backend/db/database.ts:
 * ISO-8601 text with `+00:00` on SQLite, TIMESTAMP(3) holding UTC on PostgreSQL); 'json'
 * columns as JSON values, stored as their text (no second round of escaping). Values equal for
 * every row (`constants`) are bound once per statement instead.
 */
import type { Db, Provider } from '../repositories/db.ts';

/** 'json': a value embedded as JSON, stored as its JSON text. */
export type ColumnType = 'text' | 'int' | 'bool' | 'time' | 'json';
export type Column = readonly [name: string, type: ColumnType];

const CHUNK_ROWS = 4000;

/** A statement not yet run (Prisma runs it when awaited or inside `$transaction([...])`). */
export type Statement = ReturnType<Db['prisma']['$executeRawUnsafe']>;

/** Runs statements in one transaction (one statement alone is one already: no BEGIN and COMMIT round trips). */
export async function commit(db: Db, statements: readonly Statement[]): Promise<void> {
  if (statements.length === 1) await statements[0];
  else if (statements.length > 1) await db.prisma.$transaction([...statements]);
}

function extract(provider: Provider, index: number, type: ColumnType): string {
  if (provider === 'sqlite') {
    switch (type) {
      case 'json':
        return `value->${index}`;
      case 'time': {
        // Exact: whole seconds through strftime, milliseconds by integer arithmetic.
        const ms = `(value->>${index})`;
        return `strftime('%Y-%m-%dT%H:%M:%S', ${ms} / 1000, 'unixepoch') || printf('.%03d+00:00', ${ms} % 1000)`;
      }
      default:
        return `value->>${index}`;
    }
  }
  const v = `(v->>${index})`;
  switch (type) {
    case 'text':
      return v;
    case 'int':
      return `${v}::integer`;
    case 'bool':
      return `${v}::boolean`;
    case 'time':
      return `(to_timestamp(${v}::bigint / 1000.0) AT TIME ZONE 'UTC')::timestamp(3)`;
    case 'json':
      return `(v->${index})::text`;
  }
}

/** Where an upsert's rows go: the key, and what a row whose key exists does to the stored one. */
export interface UpsertTarget {
  key: readonly string[];
  /** Columns overwritten when the key exists (default: every column not in the key). */
  update?: readonly string[] | 'nothing';
  /** Overwrite only where this condition on the stored row holds. */
  updateWhere?: string;
}

const quoted = (names: readonly string[]) => names.map((c) => `"${c}"`).join(',');

/** The `ON CONFLICT` clause of an upsert of the columns `names` (both providers). */
export function onConflict(names: readonly string[], t: UpsertTarget): string {
  const update = t.update ?? names.filter((c) => !t.key.includes(c));
  const action =
    update === 'nothing' || update.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${update.map((c) => `"${c}" = excluded."${c}"`).join(', ')}${t.updateWhere ? ` WHERE ${t.updateWhere}` : ''}`;
  return `ON CONFLICT (${quoted(t.key)}) ${action}`;
}

/**
 * Statements (not yet run) that insert `rows` into `table`, or update the listed columns when
 * the key exists (only where `updateWhere`, a condition on the stored row, holds). Run them with
 * `commit` to write them in one transaction.
 */
export function upsertStatements(
  db: Db,
  table: string,
  spec: UpsertTarget & {
    columns: readonly Column[];
    rows: ReadonlyArray<readonly unknown[]>;
    /** Columns bound once per statement: name → Date, string, number or boolean. */
    constants?: ReadonlyArray<readonly [name: string, value: unknown]>;
  },
): Statement[] {
  const { columns, rows } = spec;
  const constants = spec.constants ?? [];
  const sqlite = db.provider === 'sqlite';
  const names = [...columns.map(([c]) => c), ...constants.map(([c]) => c)];
  const values = [
    ...columns.map(([, type], i) => extract(db.provider, i, type)),
    ...constants.map((_, i) => (sqlite ? '?' : `$${i + 2}`)),
  ].join(',');
  const source = sqlite ? 'FROM jsonb_each(?) WHERE true' : 'FROM json_array_elements($1::json) AS r(v)';
  const sql = `INSERT INTO "${table}" (${quoted(names)}) SELECT ${values} ${source} ${onConflict(names, spec)}`;
  const bound = constants.map(([, v]) => v);
  const statements: Statement[] = [];
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    const json = JSON.stringify(rows.slice(i, i + CHUNK_ROWS));
    statements.push(
      sqlite
        ? db.prisma.$executeRawUnsafe(sql, ...bound, json)
        : db.prisma.$executeRawUnsafe(sql, json, ...bound),
    );
  }
  return statements;
}
