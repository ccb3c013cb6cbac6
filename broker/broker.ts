import type { Duplex } from 'node:stream';
import { Aedes, type AuthErrorCode, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from '../lib/logger.ts';
import { topics } from '../protocol/index.ts';
import { canPublish, canSubscribe, clientIdFits, type Identity } from './acl.ts';
import { hashSecret, SERVICE_USERNAME, secretMatches } from './credentials.ts';
import { DEFAULT_MQTT_LIMITS, limitPacketSize, type MqttLimits, PendingConnections } from './packet-limit.ts';
import { excerptOf, type RejectionSink, type TerminalCredential, type TerminalDirectory } from './ports.ts';

/** The broker refuses (and disconnects) any publish larger than this; the ingest has its own, smaller limit. */
export const BROKER_MAX_PAYLOAD = 256 * 1024;

/**
 * The backend's own connection (it authenticated with the service secret) sends the kiosks' configs,
 * which may exceed a kiosk's packet limit; it is held to the publish limit above instead.
 */
const SERVICE_MAX_PACKET_BYTES = BROKER_MAX_PAYLOAD + 1024;

export type BrokerOptions = {
  directory: TerminalDirectory;
  serviceSecret: string;
  rejections: RejectionSink;
  log: Logger;
  /** How long a terminal lookup is cached; a revoked terminal is refused at its next connect after this. */
  cacheMs?: number;
  /** Packet size, connect timeout and pending connections (MQTT_* settings); DEFAULT_MQTT_LIMITS when unset. */
  limits?: MqttLimits;
};

export type Broker = {
  aedes: Aedes;
  identityOf(c: Client): Identity | undefined;
  /** Serves one accepted connection (plain or TLS) under the limits: what the listeners call. */
  handle(conn: Duplex): void;
};

const BAD_CREDENTIALS = 4 as AuthErrorCode;
const NOT_AUTHORIZED = 5 as AuthErrorCode;

function authError(message: string, code: AuthErrorCode): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code });
}

/**
 * aedes with authentication and the per-terminal ACL. aedes' callback hooks
 * are wrapped here so that the policy lives in plain async functions.
 */
export async function createBroker(opts: BrokerOptions): Promise<Broker> {
  const { directory, rejections, log } = opts;
  const limits = opts.limits ?? DEFAULT_MQTT_LIMITS;
  const serviceHash = hashSecret(opts.serviceSecret);
  const identities = new WeakMap<Client, Identity>();
  const cache = new Map<string, { at: number; value: TerminalCredential | null }>();
  const cacheMs = opts.cacheMs ?? 10_000;

  async function lookup(id: string): Promise<TerminalCredential | null> {
    const hit = cache.get(id);
    if (hit && Date.now() - hit.at < cacheMs) return hit.value;
    const value = await directory.findTerminal(id);
    cache.set(id, { at: Date.now(), value });
    return value;
  }

  async function authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<Identity> {
    if (!username || !password) throw authError('no credentials', NOT_AUTHORIZED);
    let identity: Identity;
    if (username === SERVICE_USERNAME) {
      if (!secretMatches(password, serviceHash)) throw authError('bad service secret', BAD_CREDENTIALS);
      identity = { kind: 'service' };
    } else {
      const t = await lookup(username);
      if (!t) throw authError(`unknown terminal ${username}`, BAD_CREDENTIALS);
      if (!secretMatches(password, t.secretHash))
        throw authError(`bad secret for terminal ${username}`, BAD_CREDENTIALS);
      if (!t.active) throw authError(`terminal ${username} is deactivated`, NOT_AUTHORIZED);
      identity = { kind: 'terminal', terminalId: t.id, siteId: t.siteId };
      // aedes keeps the CONNECT's will on `_will` until the session is set up.
      const will = (client as Client & { _will?: { topic: string } })._will;
      if (will && will.topic !== topics.status(t.id)) {
        throw authError(`will topic ${will.topic} is not the terminal's status topic`, NOT_AUTHORIZED);
      }
    }
    if (!clientIdFits(identity, client.id))
      throw authError(`client id ${client.id} does not match ${username}`, NOT_AUTHORIZED);
    return identity;
  }

  const aedes = new Aedes({
    // A slow or frozen subscriber must not stall delivery to everyone else.
    drainTimeout: 30_000,
    concurrency: 1000,
    connectTimeout: limits.connectTimeoutMs,
    authenticate(client, username, password, done) {
      authenticate(client, username, password).then(
        (identity) => {
          identities.set(client, identity);
          done(null, true);
        },
        (err: AuthenticateError) => {
          log.warn({ clientId: client.id, username, reason: err.message }, 'connect refused');
          done(err.returnCode ? err : authError(String(err), 3 as AuthErrorCode), false);
        },
      );
    },
    authorizePublish(client, packet, done) {
      if (!client) return done(null); // an old LWT replayed by the broker itself
      const id = identities.get(client);
      const size = packet.payload.length;
      const terminalId = id?.kind === 'terminal' ? id.terminalId : undefined;
      const refuse = (code: 'ACL' | 'TOO_LARGE', reason: string) => {
        log.warn({ clientId: client.id, topic: packet.topic, reason }, 'publish refused');
        rejections.record({
          source: 'broker',
          clientId: client.id,
          terminalId,
          topic: packet.topic,
          code,
          reason,
          size,
          excerpt: excerptOf(packet.payload),
        });
        done(new Error(reason));
      };
      if (!id) return refuse('ACL', 'unauthenticated');
      const decision = canPublish(id, packet.topic);
      if (!decision.allow) return refuse('ACL', decision.reason);
      if (size > BROKER_MAX_PAYLOAD)
        return refuse('TOO_LARGE', `payload is ${size} bytes, limit ${BROKER_MAX_PAYLOAD}`);
      done(null);
    },
    authorizeSubscribe(client, sub, done) {
      const id = identities.get(client);
      const decision: ReturnType<typeof canSubscribe> = id
        ? canSubscribe(id, sub.topic)
        : { allow: false, reason: 'unauthenticated' };
      if (!decision.allow) {
        log.warn({ clientId: client.id, filter: sub.topic, reason: decision.reason }, 'subscribe refused');
        return done(null, null); // SUBACK 0x80, the connection stays up
      }
      done(null, sub);
    },
  });
  aedes.on('clientError', (client, err) => {
    log.debug({ clientId: client.id, err: err.message }, 'client error');
  });
  aedes.on('connectionError', (client, err) => {
    log.debug({ clientId: client?.id, err: err.message }, 'connection error');
  });
  // aedes 1.x handles no connection before listen() has set up its persistence.
  await aedes.listen();
  const handle = limitedHandler(aedes, (c) => identities.get(c), limits, rejections, log);
  return { aedes, identityOf: (c) => identities.get(c), handle };
}

/** Hands each accepted connection to aedes under the MQTT limits (packet-limit.ts). */
function limitedHandler(
  aedes: Aedes,
  identityOf: (c: Client) => Identity | undefined,
  limits: MqttLimits,
  rejections: RejectionSink,
  log: Logger,
): Broker['handle'] {
  const pending = new PendingConnections(limits.maxPendingConnections);

  function handle(conn: Duplex): void {
    if (pending.full) {
      log.warn(
        { pending: pending.count },
        'connection refused: too many connections waiting to authenticate',
      );
      conn.destroy();
      return;
    }
    // aedes' Connection type is narrower than what it accepts (any duplex stream).
    const client = aedes.handle(conn as Parameters<Aedes['handle']>[0]);
    pending.track(client);
    const guarded = limitPacketSize(
      client,
      () => (identityOf(client)?.kind === 'service' ? SERVICE_MAX_PACKET_BYTES : limits.maxPacketBytes),
      (p) => refuseOversized(client, p),
    );
    if (!guarded) log.error('cannot limit the MQTT packet size (aedes parser changed): connection refused');
  }

  function refuseOversized(client: Client, p: { type: string; length: number; limit: number }): void {
    const id = identityOf(client);
    const reason = `${p.type} packet of ${p.length} bytes, limit ${p.limit}`;
    // Recorded (and logged as a warning) only for a client that authenticated: an anonymous flood
    // must fill neither the table nor the log.
    if (!id) {
      log.debug({ clientId: client.id, reason }, 'connection closed: packet too large');
      return;
    }
    log.warn({ clientId: client.id, reason }, 'connection closed: packet too large');
    rejections.record({
      source: 'broker',
      clientId: client.id ?? undefined,
      terminalId: id.kind === 'terminal' ? id.terminalId : undefined,
      code: 'TOO_LARGE',
      reason,
      size: p.length,
    });
  }

  return handle;
}
