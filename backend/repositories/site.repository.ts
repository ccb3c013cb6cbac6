import type { Db } from './db.ts';

/** The columns of a site an admin may change. */
export type SiteChange = {
  name?: string | undefined;
  timeZone?: string | undefined;
  livenessLevel?: string | undefined;
  /** JSON of the kiosk settings; null clears them. */
  kioskSettings?: string | null | undefined;
  address?: string | null | undefined;
  latitude?: number | null | undefined;
  longitude?: number | null | undefined;
  active?: boolean | undefined;
};

export type SiteCreate = {
  id: string;
  name: string;
  timeZone: string;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
};

/** Sites (offices with kiosks): time zone, liveness, kiosk settings, face model. */
export class SiteRepository {
  constructor(private readonly db: Db) {}

  /** Creates the site unless it exists (an existing one is left as it is). */
  async ensure(id: string, name: string, timeZone: string): Promise<void> {
    await this.db.prisma.site.upsert({ where: { id }, update: {}, create: { id, name, timeZone } });
  }

  /** Throws Prisma's P2002 when the id exists. */
  create(data: SiteCreate) {
    return this.db.prisma.site.create({ data });
  }

  find(id: string) {
    return this.db.prisma.site.findUnique({ where: { id } });
  }

  list() {
    return this.db.prisma.site.findMany({ orderBy: { id: 'asc' } });
  }

  update(id: string, data: SiteChange) {
    return this.db.prisma.site.update({ where: { id }, data });
  }
}
