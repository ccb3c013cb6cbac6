import { describe, expect, it } from 'vitest';
import { generateSecret, hashSecret } from '../../broker/credentials.ts';

describe('terminal secrets', () => {
  it('are 256 random bits in hex: never an option-like "-..." on a kiosk command line, never repeated', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const s = generateSecret();
      expect(s).toMatch(/^[0-9a-f]{64}$/);
      seen.add(s);
    }
    expect(seen.size).toBe(2000);
  });

  it('are stored as a SHA-256 hash, not as given', () => {
    const s = generateSecret();
    expect(hashSecret(s)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSecret(s)).not.toBe(s);
    expect(hashSecret(s)).toBe(hashSecret(s));
  });
});
