import type { Db } from '../repositories/db.ts';
import { DEFAULT_SITE_ID } from '../services/directory.service.ts';

export type TemplateRow = {
  id: string;
  employeeId: string;
  modelId: string;
  descriptor: Uint8Array;
  createdAt: Date;
};

/** Face templates and the per-site change log the kiosks sync from. */
export class FaceRepository {
  constructor(private readonly db: Db) {}

  /** The site whose kiosks recognise an employee (no site set: the default site). */
  async siteOfEmployee(nip: string): Promise<string | null> {
    const e = await this.db.prisma.employee.findUnique({ where: { nip }, select: { siteId: true } });
    return e ? (e.siteId ?? DEFAULT_SITE_ID) : null;
  }

  /** Stores a template and logs the change for its site's kiosks, in one transaction; returns the new version. */
  async addTemplate(t: {
    id: string;
    employeeId: string;
    siteId: string;
    modelId: string;
    descriptor: Float32Array;
  }): Promise<number> {
    const bytes = new Uint8Array(t.descriptor.buffer, t.descriptor.byteOffset, t.descriptor.byteLength);
    const [, change] = await this.db.prisma.$transaction([
      this.db.prisma.faceTemplate.create({
        data: { id: t.id, employeeId: t.employeeId, modelId: t.modelId, descriptor: Uint8Array.from(bytes) },
      }),
      this.db.prisma.galleryChange.create({
        data: { siteId: t.siteId, templateId: t.id, employeeId: t.employeeId, op: 'upsert' },
      }),
    ]);
    return change.version;
  }

  /** Deletes templates (one, or all of an employee) and logs the deletions; returns the new version, if any. */
  async deleteTemplates(
    where: { employeeId: string; id?: string },
    siteId: string,
  ): Promise<{ deleted: number; version?: number }> {
    const rows = await this.db.prisma.faceTemplate.findMany({
      where,
      select: { id: true, employeeId: true },
    });
    if (rows.length === 0) return { deleted: 0 };
    const ops = [
      this.db.prisma.faceTemplate.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } }),
      ...rows.map((r) =>
        this.db.prisma.galleryChange.create({
          data: { siteId, templateId: r.id, employeeId: r.employeeId, op: 'delete' },
        }),
      ),
    ];
    const results = await this.db.prisma.$transaction(ops);
    const last = results.at(-1) as { version: number };
    return { deleted: rows.length, version: last.version };
  }

  async deactivateEmployee(nip: string): Promise<void> {
    await this.db.prisma.employee.update({ where: { nip }, data: { active: false } });
  }

  listTemplates(employeeId: string) {
    return this.db.prisma.faceTemplate.findMany({
      where: { employeeId },
      select: { id: true, modelId: true, createdAt: true },
      orderBy: { createdAt: 'asc' },
    });
  }

  async siteVersion(siteId: string): Promise<number> {
    const r = await this.db.prisma.galleryChange.aggregate({ where: { siteId }, _max: { version: true } });
    return r._max.version ?? 0;
  }

  /** Changes after `since` for a site: the latest op per template. */
  async changesSince(siteId: string, since: number) {
    return this.db.prisma.galleryChange.findMany({
      where: { siteId, version: { gt: since } },
      orderBy: { version: 'asc' },
      select: { version: true, templateId: true, op: true },
    });
  }

  /** Templates (with employee names) of a site's active employees, optionally only these ids. */
  templatesOfSite(siteId: string, ids?: string[]) {
    return this.db.prisma.faceTemplate.findMany({
      where: {
        employee: {
          active: true,
          ...(siteId === DEFAULT_SITE_ID ? { OR: [{ siteId }, { siteId: null }] } : { siteId }),
        },
        ...(ids ? { id: { in: ids } } : {}),
      },
      select: {
        id: true,
        employeeId: true,
        modelId: true,
        descriptor: true,
        employee: { select: { name: true } },
      },
    });
  }

  /** The model of a site's newest template: what its kiosks must run. */
  async latestModelId(siteId: string): Promise<string | undefined> {
    const t = await this.db.prisma.faceTemplate.findFirst({
      where: { employee: siteId === DEFAULT_SITE_ID ? { OR: [{ siteId }, { siteId: null }] } : { siteId } },
      orderBy: { createdAt: 'desc' },
      select: { modelId: true },
    });
    return t?.modelId;
  }

  sites() {
    return this.db.prisma.site.findMany({ select: { id: true } });
  }
}
