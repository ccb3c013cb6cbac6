import { topics } from '../protocol/index.ts';

export type Identity = { kind: 'service' } | { kind: 'terminal'; terminalId: string; siteId: string };

export type AclDecision = { allow: true } | { allow: false; reason: string };

const allow: AclDecision = { allow: true };

/** A terminal publishes only its own event and status. */
export function canPublish(id: Identity, topic: string): AclDecision {
  if (id.kind === 'service') return allow;
  if (topic === topics.event(id.terminalId) || topic === topics.status(id.terminalId)) return allow;
  return { allow: false, reason: `terminal ${id.terminalId} may not publish to ${topic}` };
}

/** A terminal subscribes only to its own t/{tid}/… topics and its site's topics. */
export function canSubscribe(id: Identity, filter: string): AclDecision {
  if (id.kind === 'service') return allow;
  const own = [
    topics.ack(id.terminalId),
    topics.config(id.terminalId),
    topics.terminalAll(id.terminalId),
    topics.gallery(id.siteId),
    topics.siteAll(id.siteId),
  ];
  if (own.includes(filter)) return allow;
  return { allow: false, reason: `terminal ${id.terminalId} may not subscribe to ${filter}` };
}

/** MQTT client ids must name the terminal, so one kiosk cannot take over another's session. */
export function clientIdFits(id: Identity, clientId: string): boolean {
  if (id.kind === 'service') return clientId.startsWith('svc.');
  return clientId === id.terminalId || clientId.startsWith(`${id.terminalId}.`);
}
