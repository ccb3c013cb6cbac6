import type { z } from 'zod';
import type { RejectCode } from './schemas.ts';
import { PROTOCOL_VERSION } from './topics.ts';

export type Decoded<T> =
  | { ok: true; value: T }
  | { ok: false; code: RejectCode; reason: string; id?: string };

/**
 * Decodes a payload against a schema, in the order that gives the most useful
 * reason: size, JSON, protocol version, then the schema's own issues.
 */
export function decodePayload<T>(
  schema: z.ZodType<T>,
  payload: Buffer | string,
  maxBytes: number,
): Decoded<T> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > maxBytes)
    return { ok: false, code: 'TOO_LARGE', reason: `payload is ${size} bytes, limit ${maxBytes}` };
  let json: unknown;
  try {
    json = JSON.parse(payload.toString());
  } catch (err) {
    return { ok: false, code: 'BAD_JSON', reason: `not JSON: ${(err as Error).message}` };
  }
  const id = idOf(json);
  if (typeof json === 'object' && json !== null && 'v' in json && json.v !== PROTOCOL_VERSION) {
    return withId(
      {
        ok: false,
        code: 'VERSION',
        reason: `unsupported protocol version ${String(json.v)}, expected ${PROTOCOL_VERSION}`,
      },
      id,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    return withId({ ok: false, code: 'SCHEMA', reason }, id);
  }
  return { ok: true, value: parsed.data };
}

function idOf(json: unknown): string | undefined {
  if (
    typeof json === 'object' &&
    json !== null &&
    'id' in json &&
    typeof json.id === 'string' &&
    json.id.length <= 64
  ) {
    return json.id;
  }
  return undefined;
}

function withId<T>(d: Extract<Decoded<T>, { ok: false }>, id: string | undefined): Decoded<T> {
  return id === undefined ? d : { ...d, id };
}
