/**
 * Issue #12's must-show: under 16 concurrent 250 MB CONNECT attempts and 40 unauthenticated 11 MB
 * posts, the backend's memory stays under 500 MB and a legitimate punch is acked. The memory bound
 * is asserted (the backend's VmRSS, sampled during the flood); the punch's latency is printed, not
 * asserted (timings stay out of pass/fail, CONTRIBUTING.md).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../protocol/index.ts';
import { Cluster } from '../support/cluster.ts';
import { connect, end, publish, sleep } from '../support/mqtt.ts';
import { floodConnect } from '../support/mqtt-flood.ts';
import { goodEvent, nip } from '../support/punches.ts';

const MB = 1024 * 1024;
const FLOOD_MS = 8000;

/** The process's resident memory, from /proc (Linux). */
function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m?.[1]) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** Samples `pid`'s RSS every `everyMs` until stopped; returns the peak. */
function sampleRss(pid: number, everyMs = 50): { stop(): number; samples: number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(rssOf(pid)), everyMs);
  samples.push(rssOf(pid));
  return {
    samples,
    stop() {
      clearInterval(timer);
      samples.push(rssOf(pid));
      return Math.max(...samples);
    },
  };
}

/** One attacker: CONNECTs announcing 250 MB, streamed (each for 5 s at most), again and again until `untilMs`. */
async function connectAttacker(port: number, untilMs: number) {
  const out = { attempts: 0, bytes: 0, closedByServer: 0 };
  while (Date.now() < untilMs) {
    const r = await floodConnect(port, 250_000_000, 5000);
    out.attempts++;
    out.bytes += r.written;
    if (r.closedByServer) out.closedByServer++;
  }
  return out;
}

/** An 11 MB JSON body, streamed in 64 KB pieces from one reused chunk. */
function elevenMegabytes(): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(0x41);
  const total = 11 * MB;
  let sent = 0;
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      c.enqueue(enc.encode('{"images":["'));
    },
    pull(c) {
      if (sent >= total) {
        c.enqueue(enc.encode('"]}'));
        c.close();
        return;
      }
      c.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

/** A face enrollment post without a token: the status, or the error when the server hung up first. */
async function anonymousFacePost(httpPort: number): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/api/employees/x/faces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: elevenMegabytes(),
      duplex: 'half',
    } as RequestInit);
    await res.arrayBuffer();
    return String(res.status);
  } catch (err) {
    return `closed (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message})`;
  }
}

type Figures = {
  before: number;
  peak: number;
  samples: number;
  ackMs: number | undefined;
  connects: { attempts: number; bytes: number; closedByServer: number };
  posts: Record<string, number>;
};

/**
 * `attackers` sockets sending 250 MB CONNECTs for FLOOD_MS and `posts` anonymous 11 MB face posts,
 * all at once, with a legitimate punch from `kiosk` one second in; the backend's RSS sampled throughout.
 */
async function flood(c: Cluster, kiosk: Kiosk, attackers: number, posts: number): Promise<Figures> {
  const pid = c.backend?.child.pid as number;
  const before = rssOf(pid);
  const rss = sampleRss(pid);
  const untilMs = Date.now() + FLOOD_MS;
  const floods = Promise.all(Array.from({ length: attackers }, () => connectAttacker(c.mqttPort, untilMs)));
  const statuses = Promise.all(Array.from({ length: posts }, () => anonymousFacePost(c.httpPort)));
  await sleep(1000);
  const ackMs = await kiosk.punch(30_000);
  const connects = { attempts: 0, bytes: 0, closedByServer: 0 };
  for (const f of await floods) {
    connects.attempts += f.attempts;
    connects.bytes += f.bytes;
    connects.closedByServer += f.closedByServer;
  }
  const byStatus: Record<string, number> = {};
  for (const s of await statuses) byStatus[s] = (byStatus[s] ?? 0) + 1;
  const peak = rss.stop();
  const figures = { before, peak, samples: rss.samples.length, ackMs, connects, posts: byStatus };
  console.log(
    [
      `backend RSS: ${(before / MB).toFixed(0)} MB before, peak ${(peak / MB).toFixed(0)} MB during the flood (${figures.samples} samples)`,
      `${attackers} CONNECT attackers, ${FLOOD_MS} ms: ${connects.attempts} CONNECTs announcing 250 MB, ${(connects.bytes / MB).toFixed(0)} MB sent, ${connects.closedByServer} closed by the backend`,
      `${posts} anonymous 11 MB face posts: ${JSON.stringify(byStatus)}`,
      `legitimate punch acked: ${ackMs === undefined ? 'NO' : `${ackMs} ms`}`,
    ].join('\n'),
  );
  return figures;
}

type Kiosk = { punch(timeoutMs: number): Promise<number | undefined>; end(): Promise<void> };

/** A kiosk on a raw MQTT connection: `punch` publishes one and resolves with the ms until its ack. */
async function rawKiosk(c: Cluster): Promise<Kiosk> {
  const t = await c.registerTerminal(`Gerbang ${Math.random().toString(36).slice(2, 8)}`);
  const client = await connect(c.mqttUrl, { clientId: t.id, username: t.id, password: t.password });
  const acked = new Map<string, number>();
  client.on('message', (_topic, payload) => {
    for (const id of (JSON.parse(payload.toString()) as { ids: string[] }).ids) acked.set(id, Date.now());
  });
  await new Promise<void>((r, j) => client.subscribe(topics.ack(t.id), { qos: 1 }, (e) => (e ? j(e) : r())));
  let seq = 0;
  return {
    async punch(timeoutMs) {
      const e = goodEvent(++seq, nip(1));
      const sentAt = Date.now();
      await publish(client, topics.event(t.id), JSON.stringify(e));
      while (!acked.has(e.id) && Date.now() - sentAt < timeoutMs) await sleep(5);
      const at = acked.get(e.id);
      return at === undefined ? undefined : at - sentAt;
    },
    end: () => end(client),
  };
}

describe('the backend under a connection flood', () => {
  let c: Cluster;
  let kiosk: Kiosk;
  beforeAll(async () => {
    c = await Cluster.start({ db: 'sqlite' });
    await c.createEmployee(nip(1), 'Siti Aminah');
    kiosk = await rawKiosk(c);
  });
  afterAll(async () => {
    await kiosk?.end();
    await c?.stop();
  });

  const healthy = async () => {
    expect(c.backend?.child.exitCode).toBeNull();
    expect((await c.api('GET', '/api/health')).status).toBe(200);
  };

  it('stays under 500 MB and acks a legitimate punch during 16 concurrent 250 MB CONNECTs', async () => {
    const f = await flood(c, kiosk, 16, 0);
    expect(f.ackMs).toBeDefined();
    expect(f.peak).toBeLessThan(500 * MB);
    // Every attempt was cut short by the backend: none streamed on until this side gave up.
    expect(f.connects.attempts).toBeGreaterThanOrEqual(16);
    expect(f.connects.closedByServer).toBe(f.connects.attempts);
    await healthy();
  });

  // The whole must-show. Before finding 10 was fixed, the faces route read each 11 MB body before
  // it checked the token (measured: 847 MB peak from the posts alone).
  it('stays under 500 MB and acks a legitimate punch during 16 × 250 MB CONNECTs and 40 anonymous 11 MB posts', async () => {
    const f = await flood(c, kiosk, 16, 40);
    expect(f.ackMs).toBeDefined();
    expect(f.peak).toBeLessThan(500 * MB);
    expect(f.connects.closedByServer).toBe(f.connects.attempts);
    expect(Object.keys(f.posts).every((s) => s === '401' || s.startsWith('closed'))).toBe(true);
    await healthy();
  });
});
