/**
 * MQTT topic builders and parsers for protocol v1. The topic root carries the
 * protocol version; every payload also carries `v` so a message that reaches
 * a v1 topic with another version is refused with a clear reason.
 */
export const PROTOCOL_VERSION = 1 as const;
export const TOPIC_ROOT = `att/v${PROTOCOL_VERSION}` as const;

/** Terminal and site ids: short, safe inside a topic level (no '/', '+', '#'). */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const TerminalTopic = {
  Event: 'event',
  Ack: 'ack',
  Status: 'status',
  Config: 'config',
} as const;
export type TerminalTopic = (typeof TerminalTopic)[keyof typeof TerminalTopic];

export const topics = {
  event: (tid: string) => `${TOPIC_ROOT}/t/${tid}/event`,
  ack: (tid: string) => `${TOPIC_ROOT}/t/${tid}/ack`,
  status: (tid: string) => `${TOPIC_ROOT}/t/${tid}/status`,
  config: (tid: string) => `${TOPIC_ROOT}/t/${tid}/config`,
  terminalAll: (tid: string) => `${TOPIC_ROOT}/t/${tid}/#`,
  gallery: (site: string) => `${TOPIC_ROOT}/site/${site}/gallery`,
  siteAll: (site: string) => `${TOPIC_ROOT}/site/${site}/#`,
  /** Backend subscriptions. */
  allEvents: `${TOPIC_ROOT}/t/+/event`,
  allStatus: `${TOPIC_ROOT}/t/+/status`,
} as const;

export type ParsedTopic =
  | { kind: 'terminal'; terminalId: string; leaf: string }
  | { kind: 'site'; siteId: string; leaf: string }
  | { kind: 'other'; topic: string };

/** Splits a concrete topic (no wildcards) into its parts. */
export function parseTopic(topic: string): ParsedTopic {
  const parts = topic.split('/');
  if (parts.length === 5 && `${parts[0]}/${parts[1]}` === TOPIC_ROOT) {
    const [, , scope, id, leaf] = parts as [string, string, string, string, string];
    if (scope === 't' && ID_PATTERN.test(id)) return { kind: 'terminal', terminalId: id, leaf };
    if (scope === 'site' && ID_PATTERN.test(id)) return { kind: 'site', siteId: id, leaf };
  }
  return { kind: 'other', topic };
}
