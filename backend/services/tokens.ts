import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const Role = z.enum(['SUPERADMIN', 'BKD', 'OPD_ADMIN', 'SUPERVISOR']);
export type Role = z.infer<typeof Role>;

export type Session = { sub: string; username: string; role: Role; unitId: string | null; exp: number };
const SessionSchema = z.object({
  sub: z.string(),
  username: z.string(),
  role: Role,
  unitId: z.string().nullable(),
  exp: z.number(),
});

/** Stateless signed tokens (HMAC-SHA256), so several backend instances can check them without shared state. */
export class TokenService {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds = 12 * 3600,
  ) {}

  issue(s: Omit<Session, 'exp'>, now = Date.now()): string {
    const body = Buffer.from(
      JSON.stringify({ ...s, exp: Math.floor(now / 1000) + this.ttlSeconds }),
    ).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  verify(token: string, now = Date.now()): Session | null {
    const [body, sig] = token.split('.');
    if (!body || !sig) return null;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    const parsed = SessionSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString()));
    if (!parsed.success || parsed.data.exp * 1000 < now) return null;
    return parsed.data;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
