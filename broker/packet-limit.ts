/**
 * Limits on what one MQTT connection may make the broker hold (issue #12, finding 2: unauthenticated
 * CONNECT packets announcing 250 MB were buffered whole before the refusal, 16 of them took the
 * process from 0.6 to 4.4 GB).
 *
 * The limit is checked while parsing: as soon as a packet's fixed header (its type and remaining
 * length) has been read, before any of its body is kept, and before authentication (the CONNECT is
 * a packet like any other). aedes 1.2 does not give its mqtt-packet parser a maximum, so the
 * parser of each connection is wrapped here: a packet announcing more than the limit is a parse
 * error, which makes aedes destroy the connection. What the broker holds for one connection is then
 * bounded by the limit plus one socket read.
 *
 * Failure mode worth knowing: this reaches into the parser's `_parseLength` step (mqtt-packet 9, the
 * version aedes 1.2 pins). If a later version renames it, every connection is refused (fail closed,
 * logged as an error) rather than silently unguarded; test/unit/broker-limits.test.ts shows it.
 */
import type { Client } from 'aedes';

/** The defaults of MQTT_MAX_PACKET_BYTES, MQTT_CONNECT_TIMEOUT_MS and MQTT_MAX_PENDING_CONNECTIONS. */
export const DEFAULT_MQTT_LIMITS = {
  /** A kiosk's largest legitimate packet is a status (≤ 16 KB) or a punch (≤ 4 KB, MAX_EVENT_BYTES). */
  maxPacketBytes: 64 * 1024,
  connectTimeoutMs: 10_000,
  maxPendingConnections: 256,
} as const;

export type MqttLimits = {
  /** Largest remaining length of a packet from an unauthenticated connection or a terminal. */
  maxPacketBytes: number;
  /** A connection whose CONNECT has not arrived within this is closed. */
  connectTimeoutMs: number;
  /** Connections accepted and not yet authenticated; beyond this a new one is closed at once. */
  maxPendingConnections: number;
};

export type OversizedPacket = { type: string; length: number; limit: number };

/** The slice of mqtt-packet's parser (one per aedes client) this module relies on. */
type Parser = {
  packet: { cmd?: string; length: number };
  _parseLength(): boolean;
  _emitError(err: Error): void;
};

/**
 * Makes the connection's parser refuse a packet whose remaining length exceeds `limitOf()` (asked
 * per packet: the limit may change once the client has authenticated). `onOversized` is told before
 * the connection is destroyed. Returns false, having destroyed the connection, when the parser does
 * not have the expected shape.
 */
export function limitPacketSize(
  client: Client,
  limitOf: () => number,
  onOversized: (p: OversizedPacket) => void,
): boolean {
  const parser = (client as Client & { _parser?: Partial<Parser> })._parser;
  const parseLength = parser?._parseLength;
  if (!parser || typeof parseLength !== 'function' || typeof parser._emitError !== 'function') {
    client.conn.destroy();
    return false;
  }
  const p = parser as Parser;
  p._parseLength = function guardedParseLength(this: Parser): boolean {
    const complete = parseLength.call(this);
    if (!complete) return false;
    const limit = limitOf();
    if (this.packet.length <= limit) return true;
    const oversized = { type: this.packet.cmd ?? 'unknown', length: this.packet.length, limit };
    onOversized(oversized);
    // A parse error: the parse loop stops here, aedes destroys the connection and closes the client.
    this._emitError(new Error(`${oversized.type} packet of ${oversized.length} bytes, limit ${limit}`));
    return false;
  };
  return true;
}

/**
 * Counts connections between accept and authentication, and refuses new ones beyond `max`: with
 * the packet limit, what unauthenticated sockets can make the broker hold is bounded by
 * max × maxPacketBytes (plus socket buffers), whatever they send, for at most connectTimeoutMs each.
 */
export class PendingConnections {
  private pending = 0;
  constructor(private readonly max: number) {}

  get count(): number {
    return this.pending;
  }

  /** True when the broker already waits for `max` connections to authenticate: refuse the next. */
  get full(): boolean {
    return this.pending >= this.max;
  }

  /** Counts `client` as pending until it has authenticated or its connection has closed. */
  track(client: Client): void {
    this.pending++;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      this.pending--;
    };
    client.once('connected', release);
    client.conn.once('close', release);
  }
}
