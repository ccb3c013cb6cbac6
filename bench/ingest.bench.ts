/**
 * `npm run bench:ingest -- [--kiosks N] [--punches M] [--db sqlite|postgresql] [--json]`
 *
 * End to end: N real kiosk senders (outbox + MQTT), each with M punches
 * waiting in its outbox (a burst after an outage), against the real server
 * in a child process: kiosk publish → broker → ingest → database commit →
 * ack back at the kiosk. In the same run, the raw throughput of aedes QoS 1
 * publish → subscribe with no processing, in the same shape (server in a
 * child process, publishers here), gives the ratio ingest/raw.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { v7 as uuidv7 } from 'uuid';
import { logger } from '../lib/logger.ts';
import { MqttLink } from '../terminal/mqtt-link.ts';
import { Outbox } from '../terminal/outbox.ts';
import { OutboxSender } from '../terminal/sender.ts';
import { Cluster, type DbKind } from '../test/support/cluster.ts';
import { readyLine, runTs } from '../test/support/proc.ts';

const { values: a } = parseArgs({
  options: {
    kiosks: { type: 'string', default: '5' },
    punches: { type: 'string', default: '4000' },
    db: { type: 'string', default: 'sqlite' },
    rounds: { type: 'string', default: '3' },
    window: { type: 'string', default: '500' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(a.kiosks);
const M = Number(a.punches);
const db = a.db as DbKind;
if (db === 'postgresql' && !process.env.PG_TEST_URL) {
  console.error(
    '--db postgresql needs PG_TEST_URL (e.g. postgresql://postgres@127.0.0.1:5433/postgres; see scripts/pg-start.sh)',
  );
  process.exit(2);
}
const log = logger('bench');
log.level = 'warn';

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function raw(): Promise<number> {
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
  for (const c of [...pubs, done]) c.end(true);
  await broker.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
  return (N * M) / secs;
}

async function ingest() {
  const cluster = await Cluster.start({ db, env: { LOG_LEVEL: 'warn' } });
  const terms = await Promise.all(
    Array.from({ length: N }, (_, i) => cluster.registerTerminal(`bench-${i}`)),
  );
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let acked = 0;
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((r) => {
    resolveAll = r;
  });
  const kiosks = terms.map((t) => {
    const outbox = new Outbox(join(cluster.dir, `bench-outbox-${t.id}.db`));
    for (let k = 0; k < M; k++) {
      outbox.add({
        id: uuidv7(),
        employeeId: '199001012015011001',
        method: 'face',
        capturedAt: new Date().toISOString(),
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
          latencies.push(now - s);
          sentAt.delete(id);
          if (++acked === N * M) resolveAll();
        }
      }
      sender.onAck(p);
    });
    return { link, sender, outbox };
  });
  const t0 = performance.now();
  for (const k of kiosks) {
    k.link.on('connect', () => k.sender.onConnect());
    k.link.start();
    k.sender.start();
  }
  await all;
  const secs = (performance.now() - t0) / 1000;
  for (const k of kiosks) {
    k.sender.stop();
    await k.link.stop();
    k.outbox.close();
  }
  const counts = await cluster.query(async (p) => ({
    rows: await p.attendanceEvent.count(),
    distinct: (await p.attendanceEvent.groupBy({ by: ['terminalId'], _count: { id: true } })).reduce(
      (s, g) => s + g._count.id,
      0,
    ),
  }));
  await cluster.stop();
  rmSync(cluster.dir, { recursive: true, force: true });
  latencies.sort((x, y) => x - y);
  return {
    punchesPerSecond: (N * M) / secs,
    p50Ms: pct(latencies, 50),
    p99Ms: pct(latencies, 99),
    lost: N * M - counts.rows,
    duplicated: counts.rows - counts.distinct,
  };
}

// The machine is shared and noisy: interleave raw and ingest rounds and report medians.
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
const raws: number[] = [];
const runs: Awaited<ReturnType<typeof ingest>>[] = [];
for (let i = 0; i < Number(a.rounds); i++) {
  raws.push(await raw());
  runs.push(await ingest());
}
const rawPerSecond = median(raws);
const r = {
  punchesPerSecond: median(runs.map((x) => x.punchesPerSecond)),
  p50Ms: median(runs.map((x) => x.p50Ms)),
  p99Ms: median(runs.map((x) => x.p99Ms)),
  lost: runs.reduce((s, x) => s + x.lost, 0),
  duplicated: runs.reduce((s, x) => s + x.duplicated, 0),
};
const result = {
  rounds: runs.length,
  db,
  kiosks: N,
  punchesPerKiosk: M,
  punchesPerSecond: Math.round(r.punchesPerSecond),
  rawPerSecond: Math.round(rawPerSecond),
  // Each ingest round against the raw round just before it, then the median: robust to the
  // machine's load drifting between rounds.
  ratio: Number(median(runs.map((x, i) => x.punchesPerSecond / (raws[i] as number))).toFixed(3)),
  p50Ms: Number(r.p50Ms.toFixed(1)),
  p99Ms: Number(r.p99Ms.toFixed(1)),
  lost: r.lost,
  duplicated: r.duplicated,
};
console.log(
  `per round: ingest ${runs.map((x) => Math.round(x.punchesPerSecond)).join(', ')} punches/s; raw ${raws.map(Math.round).join(', ')} msg/s`,
);
console.log(
  `ingest end to end (${db}, ${N} kiosks × ${M} punches, median of ${runs.length}): ${result.punchesPerSecond} punches/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`,
);
console.log(
  `raw aedes QoS 1 publish → subscribe, same run: ${result.rawPerSecond} msg/s; ratio ingest/raw (median of per-round ratios) ${result.ratio}`,
);
console.log(`lost ${result.lost}, duplicated ${result.duplicated} (all rounds)`);
if (a.json) console.log(JSON.stringify(result));
process.exit(0);
