import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const Role = z.enum(['SUPERADMIN', 'BKD', 'OPD_ADMIN', 'SUPERVISOR']);
export type Role = z.infer<typeof Role>;

/** What a token says: the admin user, their role and unit when it was issued, and their token version. */
export type TokenClaims = {
  sub: string;
  username: string;
  role: Role;
  unitId: string | null;
  /** The user's token version at issue: a token of an older version is refused (revoked). */
  ver: number;
  exp: number;
};

/**
 * A logged-in request's caller, as the authentication middleware builds it from the token and the
 * user's row (role and unit are the row's, so a change applies at once).
 */
export type Session = TokenClaims & {
  /** The caller's unit and every unit below it (OPD_ADMIN, SUPERVISOR); read by scopeOf. */
  scopeUnitIds?: readonly string[] | undefined;
};

const SessionSchema = z.object({
  sub: z.string(),
  username: z.string(),
  role: Role,
  unitId: z.string().nullable(),
  // Tokens issued before versions existed are version 0, the version every user starts with.
  ver: z.number().int().default(0),
  exp: z.number(),
});

/** Stateless signed tokens (HMAC-SHA256), so several backend instances can check them without shared state. */
export class TokenService {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds = 12 * 3600,
  ) {}

  issue(s: Omit<TokenClaims, 'exp'>, now = Date.now()): string {
    const body = Buffer.from(
      JSON.stringify({ ...s, exp: Math.floor(now / 1000) + this.ttlSeconds }),
    ).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The token's claims when its signature holds and it has not expired; revocation is checked by AuthService. */
  verify(token: string, now = Date.now()): TokenClaims | null {
    const [body, sig] = token.split('.');
    if (!body || !sig) return null;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body, 'base64url').toString());
    } catch {
      return null;
    }
    const parsed = SessionSchema.safeParse(json);
    if (!parsed.success || parsed.data.exp * 1000 < now) return null;
    return parsed.data;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
