/**
 * The pure parts of the REST hardening (issue #12): the login throttle's decisions over a strict
 * in-memory store, the health report's verdicts, the safe-name refinement, TRUST_PROXY parsing.
 */
import { describe, expect, it } from 'vitest';
import { trustProxyValue } from '../../backend/api/http-guards.ts';
import { isSafeText, SafeName } from '../../backend/api/text.dto.ts';
import type { AppError } from '../../backend/errors.ts';
import type { HealthRepository } from '../../backend/repositories/health.repository.ts';
import type { LoginThrottleRepository } from '../../backend/repositories/login-throttle.repository.ts';
import { HealthService } from '../../backend/services/health.service.ts';
import { LoginThrottle, retryAfterSeconds } from '../../backend/services/login-throttle.service.ts';
import { logger } from '../../lib/logger.ts';

/** login_throttle in memory, with the repository's semantics (window decay, locks). */
class MemoryThrottleStore {
  rows = new Map<string, { failures: number; lockedUntil: Date | null; lastFailureAt: Date }>();
  async lockedUntil(keys: readonly string[], now: Date) {
    let latest: Date | null = null;
    for (const k of keys) {
      const u = this.rows.get(k)?.lockedUntil;
      if (u && u > now && (!latest || u > latest)) latest = u;
    }
    return latest;
  }
  async fail(key: string, now: Date, windowMs: number) {
    const r = this.rows.get(key);
    const stale =
      r && r.lastFailureAt.getTime() < now.getTime() - windowMs && !(r.lockedUntil && r.lockedUntil > now);
    const failures = !r || stale ? 1 : r.failures + 1;
    this.rows.set(key, {
      failures,
      lockedUntil: stale ? null : (r?.lockedUntil ?? null),
      lastFailureAt: now,
    });
    return failures;
  }
  async lock(key: string, until: Date) {
    const r = this.rows.get(key);
    if (r) r.lockedUntil = until;
  }
  async clear(keys: readonly string[]) {
    let n = 0;
    for (const k of keys) if (this.rows.delete(k)) n++;
    return n;
  }
}

function throttle(now: { t: number }) {
  const store = new MemoryThrottleStore();
  const t = new LoginThrottle(
    store as unknown as LoginThrottleRepository,
    { maxFailures: 3, maxFailuresPerIp: 5, lockMs: 60_000 },
    logger('test'),
    () => new Date(now.t),
  );
  return { t, store };
}

async function refusal(p: Promise<unknown>): Promise<AppError | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return e as AppError;
  }
}

describe('login throttle', () => {
  it('locks a username at the limit, for lockMs, with the seconds to wait', async () => {
    const now = { t: 1_000_000 };
    const { t } = throttle(now);
    for (let i = 0; i < 2; i++) await t.failed('budi', `10.0.0.${i}`);
    expect(await refusal(t.check('budi', '10.0.0.9'))).toBeUndefined();
    await t.failed('budi', '10.0.0.3');
    const e = await refusal(t.check('budi', '10.0.0.9'));
    expect(e?.code).toBe('TOO_MANY_ATTEMPTS');
    expect(e?.status).toBe(429);
    expect(e?.retryAfterS).toBe(60);
    now.t += 59_500;
    expect((await refusal(t.check('budi', undefined)))?.retryAfterS).toBe(1);
    now.t += 600;
    expect(await refusal(t.check('budi', undefined))).toBeUndefined();
  });

  it('forgets failures older than the window; a success or an unlock clears them', async () => {
    const now = { t: 0 };
    const { t } = throttle(now);
    await t.failed('ani', undefined);
    await t.failed('ani', undefined);
    now.t += 61_000;
    await t.failed('ani', undefined);
    expect(await refusal(t.check('ani', undefined))).toBeUndefined();
    await t.failed('ani', undefined);
    await t.succeeded('ani');
    await t.failed('ani', undefined);
    expect(await refusal(t.check('ani', undefined))).toBeUndefined();
    await t.failed('ani', undefined);
    await t.failed('ani', undefined);
    expect((await refusal(t.check('ani', undefined)))?.code).toBe('TOO_MANY_ATTEMPTS');
    expect(await t.unlock('ani')).toBe(true);
    expect(await refusal(t.check('ani', undefined))).toBeUndefined();
    expect(await t.unlock('ani')).toBe(false);
  });

  it('locks an address after its own limit, whatever the names', async () => {
    const { t } = throttle({ t: 0 });
    for (let i = 0; i < 5; i++) await t.failed(`user${i}`, '10.1.1.1');
    expect((await refusal(t.check('someone-else', '10.1.1.1')))?.code).toBe('TOO_MANY_ATTEMPTS');
    expect(await refusal(t.check('someone-else', '10.1.1.2'))).toBeUndefined();
  });

  it('rounds Retry-After up, at least 1 s', () => {
    expect(retryAfterSeconds(new Date(1500), new Date(1000))).toBe(1);
    expect(retryAfterSeconds(new Date(1000), new Date(1000))).toBe(1);
    expect(retryAfterSeconds(new Date(62_001), new Date(1000))).toBe(62);
  });
});

describe('health report', () => {
  const health = (repo: Partial<HealthRepository>, broker = true, minFreeMb = 100) =>
    new HealthService(repo as HealthRepository, {
      instanceId: 'i',
      minFreeMb,
      brokerConnected: () => broker,
    });

  it('all well: ok, nothing failing', async () => {
    const r = await health({ beat: async () => undefined, freeBytes: async () => 500 * 1_048_576 }).report();
    expect(r).toMatchObject({ status: 'ok', failing: [], db: 'ok', disk: 'ok', broker: 'ok' });
    expect(r.checks.disk.freeMb).toBe(500);
  });

  it('names each failing dependency: a refused write, a full disk, a lost broker', async () => {
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const r = await health(
      {
        beat: () => Promise.reject(full),
        freeBytes: async () => 10 * 1_048_576,
      },
      false,
    ).report();
    expect(r).toMatchObject({
      status: 'degraded',
      failing: ['database', 'disk', 'broker'],
      db: 'down',
      disk: 'low',
    });
    expect(r.checks.database).toEqual({ ok: false, writable: false, error: 'SQLITE_FULL' });
  });

  it('an unreadable data directory is a failing disk', async () => {
    const r = await health({
      beat: async () => undefined,
      freeBytes: () => Promise.reject(new Error('ENOENT')),
    }).report();
    expect(r).toMatchObject({ failing: ['disk'], disk: 'unknown' });
  });
});

describe('safe names', () => {
  it('refuses control characters, line breaks, bidi and zero-width characters', () => {
    for (const bad of [
      'a\u202Eb',
      'a\nb',
      'a\rb',
      'a\tb',
      'a\u0000b',
      'a\u2067b',
      'a\u200Bb',
      'a\u2028b',
      'a\uFEFFb',
      'a\u061Cb',
      'a\u0085b',
    ])
      expect(isSafeText(bad), JSON.stringify(bad)).toBe(false);
    for (const good of ['Budi Santoso', 'Śri Wahyuni', 'Dinas Kesehatan (P2P)', 'محمد', 'O’Brien', '李'])
      expect(isSafeText(good), good).toBe(true);
  });

  it('is a zod refinement that names the field', () => {
    const r = SafeName(50).safeParse('Budi\u202E');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/bidirectional/);
    expect(SafeName(50).parse('  Budi  ')).toBe('Budi');
  });
});

describe('TRUST_PROXY', () => {
  it('is a hop count, a boolean, or addresses', () => {
    expect(trustProxyValue(undefined)).toBe(false);
    expect(trustProxyValue('false')).toBe(false);
    expect(trustProxyValue('true')).toBe(true);
    expect(trustProxyValue('2')).toBe(2);
    expect(trustProxyValue('loopback, 10.0.0.0/8')).toBe('loopback, 10.0.0.0/8');
  });
});
