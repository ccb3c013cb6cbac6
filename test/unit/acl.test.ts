import { describe, expect, it } from 'vitest';
import { canPublish, canSubscribe, clientIdFits, type Identity } from '../../broker/acl.ts';

const a: Identity = { kind: 'terminal', terminalId: 'ka', siteId: 's1' };
const svc: Identity = { kind: 'service' };

describe('per-terminal ACL', () => {
  it.each([
    ['att/v1/t/ka/event', true],
    ['att/v1/t/ka/status', true],
    ['att/v1/t/ka/ack', false],
    ['att/v1/t/ka/config', false],
    ['att/v1/t/kb/event', false],
    ['att/v1/site/s1/gallery', false],
    ['other', false],
  ])('terminal publish to %s → %s', (topic, allowed) => {
    expect(canPublish(a, topic).allow).toBe(allowed);
  });

  it.each([
    ['att/v1/t/ka/ack', true],
    ['att/v1/t/ka/#', true],
    ['att/v1/site/s1/gallery', true],
    ['att/v1/site/s1/#', true],
    ['att/v1/t/kb/ack', false],
    ['att/v1/t/+/ack', false],
    ['att/v1/#', false],
    ['#', false],
    ['att/v1/site/s2/gallery', false],
  ])('terminal subscribe to %s → %s', (filter, allowed) => {
    expect(canSubscribe(a, filter).allow).toBe(allowed);
  });

  it('lets the service do anything and ties client ids to their owner', () => {
    expect(canPublish(svc, 'att/v1/t/ka/ack').allow).toBe(true);
    expect(clientIdFits(a, 'ka')).toBe(true);
    expect(clientIdFits(a, 'ka.sub')).toBe(true);
    expect(clientIdFits(a, 'kab')).toBe(false);
    expect(clientIdFits(a, 'kb')).toBe(false);
    expect(clientIdFits(svc, 'svc.backend')).toBe(true);
    expect(clientIdFits(svc, 'ka')).toBe(false);
  });
});
