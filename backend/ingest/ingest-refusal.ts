import type { RejectCode } from '../../protocol/index.ts';
import { AppError, ERROR_CATALOGUE } from '../errors.ts';

export type Refusal = { id?: string; code: RejectCode; reason: string };

/**
 * What a catalogued error means for one punch message: the catalogue's MQTT refusal code, told to
 * the kiosk in its ack and recorded. Undefined for an error without one (a fault such as a database
 * outage, or an uncatalogued error): the batch fails unacked and the kiosks resend.
 */
export function refusalFor(err: unknown): Omit<Refusal, 'id'> | undefined {
  if (!(err instanceof AppError)) return undefined;
  const spec = ERROR_CATALOGUE[err.code];
  // Typed as RejectCode: a catalogue entry naming a code the protocol lacks does not compile.
  const code: RejectCode | undefined = 'reject' in spec ? spec.reject : undefined;
  return code ? { code, reason: err.message } : undefined;
}
