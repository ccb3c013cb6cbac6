/**
 * Hostile MQTT clients on raw sockets: a CONNECT whose fixed header announces a huge packet, then
 * bytes streamed as fast as the socket takes them (one reused chunk: the test never holds the size
 * it announces), or a socket that never says anything.
 */
import { type Socket, connect as tcpConnect } from 'node:net';

/** MQTT's variable byte integer (the remaining length of a fixed header). */
export function remainingLength(n: number): Buffer {
  const out: number[] = [];
  let rest = n;
  do {
    let b = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) b |= 0x80;
    out.push(b);
  } while (rest > 0);
  return Buffer.from(out);
}

/** The start of a CONNECT announcing `length` bytes: fixed header, then MQTT 3.1.1's variable header. */
export function connectHeader(length: number): Buffer {
  const variable = Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0xc2, 0, 60]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(length), variable]);
}

export type FloodResult = { written: number; closedByServer: boolean; ms: number };

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect(port, '127.0.0.1', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/**
 * Sends a CONNECT announcing `announce` bytes and streams filler until the server closes the
 * connection, `announce` bytes are out, or `maxMs` has passed (then this side closes it).
 */
export async function floodConnect(port: number, announce: number, maxMs: number): Promise<FloodResult> {
  const start = Date.now();
  const s = await openSocket(port);
  let closed = false;
  const closedAt = new Promise<void>((r) =>
    s.once('close', () => {
      closed = true;
      r();
    }),
  );
  s.on('error', () => undefined); // ECONNRESET when the server hangs up: the expected ending
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let written = 0;
  const header = connectHeader(announce);
  s.write(header);
  written += header.length;
  while (!closed && written < announce && Date.now() - start < maxMs) {
    if (s.writableNeedDrain) {
      // Wait for the server to take more (or hang up); never queue more than one chunk here.
      await drainOrClose(s, 50);
      continue;
    }
    s.write(chunk);
    written += chunk.length;
  }
  const closedByServer = closed;
  if (!closed) s.destroy();
  await closedAt;
  return { written, closedByServer, ms: Date.now() - start };
}

/** A connection that sends nothing; `closed` resolves with the ms it stayed open when the server ends it. */
export async function silentConnection(port: number): Promise<{ closed: Promise<number>; end(): void }> {
  const start = Date.now();
  const s = await openSocket(port);
  s.on('error', () => undefined);
  const closed = new Promise<number>((r) => s.once('close', () => r(Date.now() - start)));
  return { closed, end: () => s.destroy() };
}

/** Resolves when the socket drains or closes, or after `ms`; leaves no listener behind. */
function drainOrClose(s: Socket, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    s.once('drain', done);
    s.once('close', done);
  });
}
