/**
 * What repositories get: the Prisma client (typed as the SQLite client; the PostgreSQL one has the
 * same delegates) and the provider, for the few hand-written statements whose placeholders differ.
 * Shared with the broker (lib/db).
 */
export type { Db } from '../../lib/db/database-client.ts';
export { type Provider, placeholders } from '../db/database.ts';
