import type { Database } from '../db/database.ts';

/**
 * What repositories get: the Prisma client (typed as the SQLite client; the
 * PostgreSQL one has the same delegates) and the provider, for the few
 * hand-written statements whose placeholders differ.
 */
export type Db = Pick<Database, 'prisma' | 'provider'>;
export { type Provider, placeholders } from '../db/database.ts';
