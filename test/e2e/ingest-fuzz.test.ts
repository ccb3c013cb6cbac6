/**
 * A fuzz test of the MQTT ingest (issue #12 must-show): random and mutated payloads (from valid
 * events: wrong types, huge strings, unicode, missing and extra fields, wrong versions, bad instants,
 * binary) published by a real kiosk connection to a real backend, among valid punches. Bounded: a
 * fixed number of cases from a seed (printed; set FUZZ_SEED to replay one) and a time budget.
 * Then: the backend is alive, every stored row satisfies the event schema, every valid punch sent
 * among them is stored, and every message is answered (stored or refused with a reason).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EventPayload, topics } from '../../protocol/index.ts';
import { Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { connect, end, publish, until } from '../support/mqtt.ts';
import { goodEvent, nip } from '../support/punches.ts';

const CASES = 300;
const BUDGET_MS = 40_000;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

const FIELDS = [
  'v',
  'id',
  'seq',
  'employeeId',
  'method',
  'capturedAt',
  'sentAt',
  'clock',
  'score',
  'distance',
  'liveness',
] as const;

/** Values a kiosk never sends but a broken or hostile one might: across types, edges and sizes. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom(
    'x'.repeat(5000),
    'x'.repeat(20_000),
    '\u0000',
    '\u202e19900101',
    '\ud800',
    -1,
    0,
    1e308,
    -1e308,
    2 ** 31,
    2 ** 53,
    Number.MAX_SAFE_INTEGER,
    0.5,
    null,
    true,
    [],
    {},
    '0000-01-01T00:00:00Z',
    '1970-01-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    '2000-01-01T00:00:00+07:00',
    '9999-12-31T23:59:59+14:00',
    '2026-02-30T00:00:00Z',
    { synced: true, offsetMs: 2 ** 40 },
    { synced: false, offsetMs: -(2 ** 31) },
    { checked: true, passed: true, method: '\u0000'.repeat(32) },
  ),
);

type Case = { kind: 'good' | 'mutant'; payload: Buffer; goodId?: string };

/** Numbers and instants at the edges of what the schema and the database columns take. */
const edgeValue = fc.constantFrom(
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 + 1,
  2 ** 53 - 1,
  '1970-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+14:00',
  '2000-01-01T00:00:00+07:00',
  '2099-12-31T23:59:59Z',
  '9999-12-31T23:59:59-12:00',
);
const edgeField = fc.constantFrom('seq', 'capturedAt', 'sentAt', 'clock.offsetMs', 'score', 'distance');

const mutant: fc.Arbitrary<Buffer> = fc.oneof(
  // Edges of numbers and instants, alone or two at once.
  fc.array(fc.tuple(edgeField, edgeValue), { minLength: 1, maxLength: 2 }).map((edits) => {
    const e: Record<string, unknown> = { ...goodEvent(1, nip(1)) };
    for (const [field, value] of edits) {
      if (field === 'clock.offsetMs') e.clock = { synced: true, offsetMs: value };
      else e[field] = value;
    }
    return Buffer.from(JSON.stringify(e));
  }),
  // One field given an odd value, one removed, one added.
  fc
    .record({
      field: fc.constantFrom(...FIELDS),
      value: oddValue,
      drop: fc.constantFrom(...FIELDS, undefined),
    })
    .map(({ field, value, drop }) => {
      const e: Record<string, unknown> = { ...goodEvent(1, nip(1)), [field]: value };
      if (drop && drop !== field) delete e[drop];
      return Buffer.from(JSON.stringify(e));
    }),
  fc.record({ key: fc.string({ maxLength: 20 }), value: oddValue }).map(({ key, value }) => {
    const e: Record<string, unknown> = { ...goodEvent(1, nip(1)) };
    Object.defineProperty(e, key, { value, enumerable: true, configurable: true, writable: true });
    return Buffer.from(JSON.stringify(e));
  }),
  // Valid JSON of any shape, a truncated event, raw bytes.
  fc.jsonValue().map((j) => Buffer.from(JSON.stringify(j) ?? 'null')),
  fc.nat({ max: 300 }).map((n) => Buffer.from(JSON.stringify(goodEvent(1, nip(1))).slice(0, n))),
  fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
);

function cases(seed: number): Case[] {
  const mutants = fc.sample(mutant, { numRuns: CASES, seed });
  const out: Case[] = [];
  mutants.forEach((payload, i) => {
    out.push({ kind: 'mutant', payload });
    if (i % 3 === 0) {
      const e = goodEvent(i + 1, nip(1 + (i % 3)));
      out.push({ kind: 'good', payload: Buffer.from(JSON.stringify(e)), goodId: e.id });
    }
  });
  return out;
}

describeEachDb('fuzzed MQTT ingest on %s', (db) => {
  let c: Cluster;
  beforeAll(async () => {
    c = await Cluster.start({ db });
    for (const i of [1, 2, 3]) await c.createEmployee(nip(i), `Pegawai ${i}`);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('never crashes, never stores a malformed punch, and stores every valid one sent among the mutants', async () => {
    console.log(`ingest fuzz on ${db}: seed ${SEED} (FUZZ_SEED=${SEED} replays it)`);
    const t = await c.registerTerminal('Gerbang fuzz');
    const kiosk = await connect(c.mqttUrl, { clientId: t.id, username: t.id, password: t.password });
    const answered = new Set<string>();
    let answers = 0;
    let refusals = 0;
    kiosk.on('message', (_topic, raw) => {
      const ack = JSON.parse(raw.toString()) as { ids: string[]; rejected?: unknown[] };
      for (const id of ack.ids) answered.add(id);
      refusals += ack.rejected?.length ?? 0;
      answers += ack.ids.length + (ack.rejected?.length ?? 0);
    });
    await new Promise<void>((r, j) => kiosk.subscribe(topics.ack(t.id), { qos: 1 }, (e) => (e ? j(e) : r())));

    const all = cases(SEED);
    const start = Date.now();
    const sent: Case[] = [];
    for (const k of all) {
      if (Date.now() - start > BUDGET_MS) break;
      await publish(kiosk, topics.event(t.id), k.payload);
      sent.push(k);
    }
    const goodIds = sent.flatMap((k) => (k.goodId ? [k.goodId] : []));
    console.log(
      `sent ${sent.length} of ${all.length} cases (${goodIds.length} valid) in ${Date.now() - start} ms`,
    );

    // Every valid punch is stored and acked; every message gets an answer (ack or refusal).
    expect(await until(async () => goodIds.every((id) => answered.has(id)), 30_000)).toBe(true);
    expect(await until(async () => answers >= sent.length, 15_000)).toBe(true);
    type Row = Awaited<ReturnType<typeof storedRows>>[number];
    const storedRows = () => c.query((p) => p.attendanceEvent.findMany({ where: { terminalId: t.id } }));
    const rows: Row[] = await storedRows();
    const stored = new Set(rows.map((r) => r.id));
    expect(goodIds.filter((id) => !stored.has(id))).toEqual([]);

    // No stored row is malformed: each one is a valid event as a kiosk would send it.
    const malformed = rows.filter(
      (r) =>
        !EventPayload.safeParse({
          v: 1,
          id: r.id,
          seq: r.seq,
          employeeId: r.employeeId,
          method: r.method,
          capturedAt: r.capturedAt.toISOString(),
          sentAt: new Date(r.receivedAt.getTime() - r.skewMs).toISOString(),
          clock: {
            synced: r.clockSynced,
            ...(r.clockOffsetMs === null ? {} : { offsetMs: r.clockOffsetMs }),
          },
          ...(r.score === null ? {} : { score: r.score }),
          ...(r.distance === null ? {} : { distance: r.distance }),
          ...(r.liveness === null ? {} : { liveness: JSON.parse(r.liveness) }),
        }).success,
    );
    expect(malformed).toEqual([]);
    expect(c.backend?.child.exitCode).toBeNull();
    const health = await c.api<{ status: string }>('GET', '/api/health');
    expect(health.status).toBe(200);
    // The refused ones are on record with their reasons, none lost to an unwritable value.
    const refusedCount = () => c.query((p) => p.rejectedMessage.count({ where: { terminalId: t.id } }));
    expect(await until(async () => (await refusedCount()) >= refusals, 15_000)).toBe(true);
    expect(await refusedCount()).toBe(refusals);
    await end(kiosk);
  });
});
