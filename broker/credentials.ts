import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Username of the backend's service connection; '.' cannot occur in a terminal id. */
export const SERVICE_USERNAME = 'svc.backend';

/**
 * A random 256-bit secret, hex. Not base64url: one in 32 of those starts with '-', which a
 * command line (`--secret -Xy...`) takes for an option.
 */
export function generateSecret(): string {
  return randomBytes(32).toString('hex');
}

/**
 * SHA-256, not a slow KDF: the secret is 256 random bits, so brute force is
 * hopeless anyway, and 2,000 kiosks reconnecting after an outage must cost
 * microseconds each, not 2,000 × 50 ms of scrypt.
 */
export function hashSecret(secret: string | Buffer): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: Buffer | string, expectedHashHex: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(expectedHashHex, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * The service secret shared by the broker and the backend: from the
 * environment, or a file in the data folder created (0600) on first start, so
 * `npm start` and `npm run broker` + a separate backend agree without setup.
 */
export function loadServiceSecret(envValue: string | undefined, file: string): string {
  if (envValue && envValue.length > 0) return envValue;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = generateSecret();
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}
