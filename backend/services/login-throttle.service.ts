/**
 * Login throttling (issue #12, finding 5): failed logins are counted per username and per client
 * address in the database (every backend instance sees the same counts). `maxFailures` failures of
 * one username within `lockMs` lock that username for `lockMs`; `maxFailuresPerIp` failures from
 * one address lock that address. While locked, every login attempt is answered 429 with
 * Retry-After, the right password too, and the same whether the username exists or not (unknown
 * usernames are counted like known ones), so the answer tells nothing about which accounts exist.
 * A success clears the username's count (not the address's: an attacker holding one account must
 * not be able to reset the address counter between guesses at another). An admin can unlock a user.
 */
import type { Logger } from '../../lib/logger.ts';
import { AppError } from '../errors.ts';
import type { LoginThrottleRepository } from '../repositories/login-throttle.repository.ts';

export type ThrottleSettings = {
  maxFailures: number;
  maxFailuresPerIp: number;
  lockMs: number;
};

export const userKey = (username: string) => `user:${username}`;
export const ipKey = (ip: string) => `ip:${ip}`;

/** Seconds to wait, rounded up, at least 1: what Retry-After says. */
export function retryAfterSeconds(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}

export class LoginThrottle {
  constructor(
    private readonly repo: LoginThrottleRepository,
    private readonly settings: ThrottleSettings,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Throws TOO_MANY_ATTEMPTS (429, with the seconds to wait) while the username or the address is locked. */
  async check(username: string, ip: string | undefined): Promise<void> {
    const now = this.now();
    const keys = ip ? [userKey(username), ipKey(ip)] : [userKey(username)];
    const until = await this.repo.lockedUntil(keys, now);
    if (until) {
      const retryAfterS = retryAfterSeconds(until, now);
      throw new AppError('TOO_MANY_ATTEMPTS', undefined, { params: { seconds: retryAfterS }, retryAfterS });
    }
  }

  /** One more failure for the username and the address; locks whichever reached its limit. */
  async failed(username: string, ip: string | undefined): Promise<void> {
    const now = this.now();
    const until = new Date(now.getTime() + this.settings.lockMs);
    const counted: [string, number][] = [[userKey(username), this.settings.maxFailures]];
    if (ip) counted.push([ipKey(ip), this.settings.maxFailuresPerIp]);
    for (const [key, max] of counted) {
      const n = await this.repo.fail(key, now, this.settings.lockMs);
      if (n >= max) {
        await this.repo.lock(key, until);
        // The key names a username or an address, never a password.
        this.log.warn({ key, failures: n, until }, 'login locked after repeated failures');
      }
    }
  }

  async succeeded(username: string): Promise<void> {
    await this.repo.clear([userKey(username)]);
  }

  /** An admin's unlock: the username's failures and lock are forgotten. Returns whether there were any. */
  async unlock(username: string): Promise<boolean> {
    return (await this.repo.clear([userKey(username)])) > 0;
  }
}
