/**
 * `npm run bench:ingest -- [--kiosks N] [--punches M] [--employees E] [--db sqlite|postgresql]
 *   [--rounds R] [--window W] [--poll MS] [--keep] [--json]`
 *
 * End to end: N real kiosk senders (outbox + MQTT), each with M punches waiting in its outbox (a
 * burst after an outage), against the real server in a child process, with E registered employees
 * and their schedules (bench/ingest-workload.ts): kiosk publish → broker → ingest → database
 * commit → ack back at the kiosk, and the recompute of each punched day → its day record. The
 * punches are one past working day's arrivals and departures (at most two per employee), after
 * the server's day close has made that day TK for everybody (the kiosks were offline). A round
 * ends when every punch is acked and seen in its day record (polled from here every --poll ms);
 * `punchesPerSecond` is over that whole time, `ackedPerSecond` up to the last ack.
 *
 * In the same run, the raw throughput of aedes QoS 1 publish → subscribe with no processing, in
 * the same shape (server in a child process, publishers here), gives the ratio ingest/raw.
 * `--employees 0` is the old workload: every punch for one NIP that is never created, stamped
 * now, so the rules never run. `--keep` leaves each round's database and server log in place.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { openDatabase } from '../backend/db/database.ts';
import { logger } from '../lib/logger.ts';
import { MqttLink } from '../terminal/mqtt-link.ts';
import { Outbox } from '../terminal/outbox.ts';
import { OutboxSender } from '../terminal/sender.ts';
import { Cluster, type DbKind } from '../test/support/cluster.ts';
import { readyLine, runTs } from '../test/support/proc.ts';
import {
  type BenchPunch,
  closePastDays,
  DayWatcher,
  HISTORY_TERMINAL,
  outageDay,
  punchesOfDay,
  setUpStaff,
} from './ingest-workload.ts';

const { values: a } = parseArgs({
  options: {
    kiosks: { type: 'string', default: '5' },
    punches: { type: 'string', default: '4000' },
    employees: { type: 'string', default: '10000' },
    db: { type: 'string', default: 'sqlite' },
    rounds: { type: 'string', default: '3' },
    window: { type: 'string', default: '500' },
    poll: { type: 'string', default: '50' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(a.kiosks);
const M = Number(a.punches);
const E = Number(a.employees);
const POLL_MS = Number(a.poll);
const db = a.db as DbKind;
if (db === 'postgresql' && !process.env.PG_TEST_URL) {
  console.error(
    '--db postgresql needs PG_TEST_URL (e.g. postgresql://postgres@127.0.0.1:5433/postgres; see scripts/pg-start.sh)',
  );
  process.exit(2);
}
const DATE = outageDay(Date.now());
/** After the last ack, how long to wait for day records before counting punches as unreflected. */
const GIVE_UP_MS = 60_000;
const log = logger('bench');
log.level = 'warn';

/**
 * CPU seconds (user + system) a child process has used so far, from /proc (Linux; NaN elsewhere):
 * on a shared machine, the work done per punch is steadier than the wall-clock rate.
 */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // clock ticks, CLK_TCK = 100
  } catch {
    return Number.NaN;
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function raw(): Promise<{ perSecond: number; cpuMsPerMessage: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'att-raw-'));
  const broker = runTs('bench/raw-aedes.ts', [String(N * M)], {}, join(dir, 'raw.log'));
  const port = (JSON.parse(await broker.waitFor(readyLine)) as { mqttPort: number }).mqttPort;
  const url = `mqtt://127.0.0.1:${port}`;
  const done = mqtt.connect(url, { clientId: 'raw-done' });
  const finished = new Promise<void>((r) => done.on('message', () => r()));
  await new Promise((r) => done.on('connect', () => done.subscribe('bench/done', { qos: 1 }, r)));
  const pubs = await Promise.all(
    Array.from({ length: N }, (_, i) => {
      const c = mqtt.connect(url, { clientId: `raw-pub-${i}` });
      return new Promise<mqtt.MqttClient>((r) => c.on('connect', () => r(c)));
    }),
  );
  const sample = JSON.stringify({
    v: 1,
    id: uuidv7(),
    seq: 1,
    employeeId: '199001012015011001',
    method: 'face',
    capturedAt: new Date().toISOString(),
    sentAt: new Date().toISOString(),
    clock: { synced: true },
  });
  const cpu0 = cpuSeconds(broker.child.pid);
  const t0 = performance.now();
  // Same pacing as the kiosk sender: at most 500 unacknowledged per publisher.
  await Promise.all(
    pubs.map(async (c, i) => {
      let inflight = 0;
      for (let k = 0; k < M; k++) {
        while (inflight >= Number(a.window)) await new Promise((r) => setImmediate(r));
        inflight++;
        c.publish(`bench/t/${i}/event`, sample, { qos: 1 }, () => inflight--);
      }
    }),
  );
  await finished;
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(broker.child.pid) - cpu0;
  for (const c of [...pubs, done]) c.end(true);
  await broker.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
  return { perSecond: (N * M) / secs, cpuMsPerMessage: (cpu * 1000) / (N * M) };
}

/** Each round's PostgreSQL database is dropped afterwards (the server keeps no 10 000-employee leftovers). */
async function dropPgDatabase(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: process.env.PG_TEST_URL });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
  await c.end();
}

type Kiosk = { link: MqttLink; sender: OutboxSender; outbox: Outbox };

/**
 * Fills each kiosk's outbox with its punches (punch j to kiosk j mod N, in time order) and wires
 * its sender. `onAcked(id, now, latencyMs)` is called once per punch, at its first ack; the
 * latency is from its first publish.
 */
function makeKiosks(
  cluster: Cluster,
  terms: Awaited<ReturnType<Cluster['registerTerminal']>>[],
  punches: readonly BenchPunch[],
  onAcked: (id: string, now: number, latencyMs: number) => void,
): Kiosk[] {
  const sentAt = new Map<string, number>();
  return terms.map((t, i) => {
    const outbox = new Outbox(join(cluster.dir, `bench-outbox-${t.id}.db`));
    const mine = punches.filter((_, j) => j % N === i).sort((x, y) => x.at - y.at);
    for (const p of mine) {
      outbox.add({
        id: p.id,
        employeeId: p.employeeId,
        method: 'face',
        capturedAt: new Date(p.at).toISOString(),
        clock: { synced: true },
      });
    }
    const link = new MqttLink({ url: cluster.mqttUrl, terminalId: t.id, secret: t.password, log });
    const channel = {
      get connected() {
        return link.connected;
      },
      publishEvent(payload: string) {
        const id = payload.slice(payload.indexOf('"id":"') + 6, payload.indexOf('"id":"') + 42);
        if (!sentAt.has(id)) sentAt.set(id, performance.now());
        link.publishEvent(payload);
      },
    };
    const sender = new OutboxSender(outbox, channel, { log, ackTimeoutMs: 10_000, window: Number(a.window) });
    link.on('ack', (p) => {
      const now = performance.now();
      for (const id of (JSON.parse(p.toString()) as { ids: string[] }).ids) {
        const s = sentAt.get(id);
        if (s !== undefined) {
          sentAt.delete(id);
          onAcked(id, now, now - s);
        }
      }
      sender.onAck(p);
    });
    return { link, sender, outbox };
  });
}

/**
 * Stored rows per outbox id, counted by the database: lost = never stored, duplicated = extra rows
 * of an id or rows of no outbox (the week before the outage, inserted at set-up, is left out).
 */
async function account(database: Awaited<ReturnType<typeof openDatabase>>, punches: readonly BenchPunch[]) {
  const groups = await database.prisma.attendanceEvent.groupBy({
    by: ['id'],
    where: { terminalId: { not: HISTORY_TERMINAL } },
    _count: { _all: true },
  });
  const countOf = new Map(groups.map((g) => [g.id, g._count._all]));
  let lost = 0;
  let duplicated = 0;
  for (const p of punches) {
    const c = countOf.get(p.id) ?? 0;
    if (c === 0) lost++;
    else duplicated += c - 1;
    countOf.delete(p.id);
  }
  for (const c of countOf.values()) duplicated += c;
  const unknownEmployee = await database.prisma.attendanceEvent.count({ where: { unknownEmployee: true } });
  const dayRecords = await database.prisma.dailyRecord.count();
  return { lost, duplicated, unknownEmployee, dayRecords };
}

function oldPunches(): BenchPunch[] {
  const at = Date.now();
  return Array.from({ length: N * M }, () => ({ id: uuidv7(), employeeId: '199001012015011001', at }));
}

async function ingest() {
  const cluster = await Cluster.start({ db, env: { LOG_LEVEL: 'warn' } });
  const observer = await openDatabase(cluster.dbUrl);
  try {
    const terms = await Promise.all(
      Array.from({ length: N }, (_, i) => cluster.registerTerminal(`bench-${i}`)),
    );
    const staff = E > 0 ? await setUpStaff(cluster, observer, E, DATE) : [];
    if (E > 0) await closePastDays(cluster, observer, staff, DATE);
    const punches = E > 0 ? punchesOfDay(staff, N * M, DATE) : oldPunches();
    const latencies: number[] = [];
    const ackedAt = new Map<string, number>();
    let resolveAll: () => void = () => {};
    const all = new Promise<void>((r) => {
      resolveAll = r;
    });
    const kiosks = makeKiosks(cluster, terms, punches, (id, now, latencyMs) => {
      latencies.push(latencyMs);
      ackedAt.set(id, now);
      if (ackedAt.size === N * M) resolveAll();
    });
    const watcher = E > 0 ? new DayWatcher(observer, DATE, punches) : null;
    let lastAck = Number.POSITIVE_INFINITY;
    const cpu0 = cpuSeconds(cluster.backend?.child.pid);
    const t0 = performance.now();
    for (const k of kiosks) {
      k.link.on('connect', () => k.sender.onConnect());
      k.link.start();
      k.sender.start();
    }
    const watching =
      watcher?.run(POLL_MS, () => performance.now() - lastAck > GIVE_UP_MS) ?? Promise.resolve(0);
    await all;
    lastAck = performance.now();
    const lastSeen = await watching;
    const secs = (Math.max(lastAck, lastSeen) - t0) / 1000;
    const cpu = cpuSeconds(cluster.backend?.child.pid) - cpu0;
    for (const k of kiosks) {
      k.sender.stop();
      await k.link.stop();
      k.outbox.close();
    }
    const lags: number[] = [];
    let early = 0;
    for (const [id, seen] of watcher?.seenAt ?? []) {
      const lag = seen - (ackedAt.get(id) as number);
      if (lag < 0) early++;
      lags.push(Math.max(0, lag));
    }
    lags.sort((x, y) => x - y);
    latencies.sort((x, y) => x - y);
    return {
      punchesPerSecond: (N * M) / secs,
      ackedPerSecond: (N * M) / ((lastAck - t0) / 1000),
      serverCpuMsPerPunch: (cpu * 1000) / (N * M),
      p50Ms: pct(latencies, 50),
      p99Ms: pct(latencies, 99),
      recomputeLagP50Ms: pct(lags, 50),
      recomputeLagP99Ms: pct(lags, 99),
      // Day record seen (its poll started) before the kiosk had the ack: its lag counts as 0.
      seenBeforeAck: lags.length > 0 ? early / lags.length : 0,
      unreflected: watcher?.remaining ?? 0,
      polls: watcher?.polls ?? 0,
      ...(await account(observer, punches)),
    };
  } finally {
    await observer.close();
    await cluster.stop();
    if (a.keep) console.log(`kept ${cluster.dbUrl} and ${cluster.dir}`);
    else {
      if (db === 'postgresql') await dropPgDatabase(cluster.dbUrl);
      rmSync(cluster.dir, { recursive: true, force: true });
    }
  }
}

// The machine is shared and noisy: interleave raw and ingest rounds and report medians.
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
const round1 = (x: number) => Number(x.toFixed(1));
const loadBefore = loadavg()[0] as number;
const raws: Awaited<ReturnType<typeof raw>>[] = [];
const runs: Awaited<ReturnType<typeof ingest>>[] = [];
for (let i = 0; i < Number(a.rounds); i++) {
  raws.push(await raw());
  runs.push(await ingest());
}
const med = (f: (x: (typeof runs)[number]) => number) => median(runs.map(f));
const sum = (f: (x: (typeof runs)[number]) => number) => runs.reduce((s, x) => s + f(x), 0);
const result = {
  rounds: runs.length,
  db,
  employees: E,
  workDate: E > 0 ? DATE : null,
  kiosks: N,
  punchesPerKiosk: M,
  punchesPerSecond: Math.round(med((x) => x.punchesPerSecond)),
  ackedPerSecond: Math.round(med((x) => x.ackedPerSecond)),
  rawPerSecond: Math.round(median(raws.map((r) => r.perSecond))),
  // Each ingest round against the raw round just before it, then the median: robust to the
  // machine's load drifting between rounds.
  ratio: Number(median(runs.map((x, i) => x.punchesPerSecond / (raws[i]?.perSecond as number))).toFixed(3)),
  serverCpuMsPerPunch: Number(med((x) => x.serverCpuMsPerPunch).toFixed(3)),
  rawCpuMsPerMessage: Number(median(raws.map((r) => r.cpuMsPerMessage)).toFixed(3)),
  p50Ms: round1(med((x) => x.p50Ms)),
  p99Ms: round1(med((x) => x.p99Ms)),
  recomputeLagP50Ms: E > 0 ? round1(med((x) => x.recomputeLagP50Ms)) : null,
  recomputeLagP99Ms: E > 0 ? round1(med((x) => x.recomputeLagP99Ms)) : null,
  seenBeforeAck: E > 0 ? Number(med((x) => x.seenBeforeAck).toFixed(3)) : null,
  pollMs: POLL_MS,
  lost: sum((x) => x.lost),
  duplicated: sum((x) => x.duplicated),
  unreflected: sum((x) => x.unreflected),
  unknownEmployee: sum((x) => x.unknownEmployee),
  dayRecords: med((x) => x.dayRecords),
  loadBefore: Number(loadBefore.toFixed(2)),
  loadAfter: Number((loadavg()[0] as number).toFixed(2)),
};
const list = (xs: number[]) => xs.map(Math.round).join(', ');
console.log(
  `per round: whole path ${list(runs.map((x) => x.punchesPerSecond))} punches/s; acked ${list(runs.map((x) => x.ackedPerSecond))}; raw ${list(raws.map((r) => r.perSecond))} msg/s; ratio ${runs.map((x, i) => (x.punchesPerSecond / (raws[i]?.perSecond as number)).toFixed(2)).join(', ')}`,
);
console.log(
  `ingest end to end (${db}, ${E} employees, ${N} kiosks × ${M} punches of ${result.workDate ?? 'now'}, median of ${runs.length}): ${result.punchesPerSecond} punches/s to the last day record (${result.ackedPerSecond} to the last ack), ack p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms; ack → day record p50 ${result.recomputeLagP50Ms} ms, p99 ${result.recomputeLagP99Ms} ms (poll ${POLL_MS} ms)`,
);
console.log(
  `raw aedes QoS 1 publish → subscribe, same run: ${result.rawPerSecond} msg/s; ratio ingest/raw (median of per-round ratios) ${result.ratio}; server CPU ${result.serverCpuMsPerPunch} ms per punch, raw broker ${result.rawCpuMsPerMessage} ms per message`,
);
console.log(
  `lost ${result.lost}, duplicated ${result.duplicated}, unreflected ${result.unreflected}, unknown employee ${result.unknownEmployee} (all rounds); day records per round ${result.dayRecords}; load ${result.loadBefore} → ${result.loadAfter}`,
);
if (a.json) console.log(JSON.stringify(result));
process.exit(0);
