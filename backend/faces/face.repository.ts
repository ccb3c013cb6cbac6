import { AppError } from '../errors.ts';
import type { Db } from '../repositories/db.ts';
import { DEFAULT_SITE_ID } from '../services/directory.service.ts';

export type TemplateRow = {
  id: string;
  employeeId: string;
  modelId: string;
  descriptor: Uint8Array;
  createdAt: Date;
};

/** Employees whose kiosks are a site's (no site set: the default site). */
const employeesOf = (siteId: string) =>
  siteId === DEFAULT_SITE_ID ? { OR: [{ siteId }, { siteId: null }] } : { siteId };

/** A kept enrollment crop, sealed (crop-vault.ts); `id` is its row id and the seal's AAD. */
export type SealedCrop = { id: string; data: Buffer };

/** Gallery-log op of a site's model switch: every kiosk behind it needs the full gallery. */
export const MODEL_SWITCH_OP = 'model';

/** Face templates, kept enrollment crops and the per-site change log the kiosks sync from. */
export class FaceRepository {
  constructor(private readonly db: Db) {}

  /** A site's face settings; null when there is no such site. */
  siteFaceSettings(siteId: string) {
    return this.db.prisma.site.findUnique({
      where: { id: siteId },
      select: { id: true, faceModel: true, photoEvidence: true },
    });
  }

  /** The site whose kiosks recognise an employee (no site set: the default site). */
  async siteOfEmployee(nip: string): Promise<string | null> {
    const e = await this.db.prisma.employee.findUnique({ where: { nip }, select: { siteId: true } });
    return e ? (e.siteId ?? DEFAULT_SITE_ID) : null;
  }

  /** Stores a template and logs the change for its site's kiosks, in one transaction; returns the new version. */
  /**
   * Adds a template made with `faceModel`'s model, in one transaction that first checks the site
   * still uses that model (or none yet, which it then pins): another backend instance may have
   * switched the site meanwhile, and a template of another model would never reach its kiosks.
   * Crops are kept only if the site still has photo evidence on.
   */
  async addTemplate(t: {
    id: string;
    employeeId: string;
    siteId: string;
    modelId: string;
    faceModel: string;
    descriptor: Float32Array;
    crops?: SealedCrop[];
  }): Promise<{ version: number; cropsKept: number }> {
    const bytes = new Uint8Array(t.descriptor.buffer, t.descriptor.byteOffset, t.descriptor.byteLength);
    return this.db.prisma.$transaction(async (tx) => {
      const site = await tx.site.findUnique({
        where: { id: t.siteId },
        select: { faceModel: true, photoEvidence: true },
      });
      if (site && site.faceModel !== null && site.faceModel !== t.faceModel) {
        throw new AppError(
          'CONFLICT',
          `model situs berubah menjadi ${site.faceModel} selama pendaftaran; ulangi / ` +
            `the site switched to ${site.faceModel} during enrollment; enroll again`,
        );
      }
      if (site && site.faceModel === null) {
        await tx.site.update({ where: { id: t.siteId }, data: { faceModel: t.faceModel } });
      }
      const crops = site?.photoEvidence ? (t.crops ?? []) : [];
      await tx.faceTemplate.create({
        data: { id: t.id, employeeId: t.employeeId, modelId: t.modelId, descriptor: Uint8Array.from(bytes) },
      });
      await tx.faceCrop.createMany({
        data: crops.map((c) => ({ id: c.id, templateId: t.id, data: Uint8Array.from(c.data) })),
      });
      const change = await tx.galleryChange.create({
        data: { siteId: t.siteId, templateId: t.id, employeeId: t.employeeId, op: 'upsert' },
      });
      return { version: change.version, cropsKept: crops.length };
    });
  }

  /** Every template of a site's employees (active or not), with its kept-crop count. */
  async templatesForSwitch(siteId: string) {
    const rows = await this.db.prisma.faceTemplate.findMany({
      where: { employee: employeesOf(siteId) },
      select: {
        id: true,
        employeeId: true,
        modelId: true,
        descriptor: true,
        employee: { select: { name: true, active: true } },
        _count: { select: { crops: true } },
      },
      orderBy: [{ employeeId: 'asc' }, { createdAt: 'asc' }],
    });
    return rows.map((r) => ({
      id: r.id,
      employeeId: r.employeeId,
      name: r.employee.name,
      active: r.employee.active,
      modelId: r.modelId,
      descriptor: r.descriptor,
      crops: r._count.crops,
    }));
  }

  async cropsOf(templateId: string): Promise<SealedCrop[]> {
    const rows = await this.db.prisma.faceCrop.findMany({
      where: { templateId },
      select: { id: true, data: true },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((r) => ({ id: r.id, data: Buffer.from(r.data) }));
  }

  /**
   * A site's model switch in one transaction: the re-derived templates are added (their crops move
   * to them), every other template of the site's employees is deleted (with its crops), the site's
   * model is set and a model-switch entry closes the log, so a kiosk behind it gets the full
   * gallery of the new model. Returns the new version.
   */
  async switchModel(s: {
    siteId: string;
    kind: string;
    modelId: string;
    add: Array<{ id: string; employeeId: string; descriptor: Float32Array; from: string }>;
    remove: Array<{ id: string; employeeId: string }>;
  }): Promise<number> {
    const p = this.db.prisma;
    const ops = [
      ...s.add.flatMap((t) => [
        p.faceTemplate.create({
          data: {
            id: t.id,
            employeeId: t.employeeId,
            modelId: s.modelId,
            descriptor: Uint8Array.from(
              new Uint8Array(t.descriptor.buffer, t.descriptor.byteOffset, t.descriptor.byteLength),
            ),
          },
        }),
        p.faceCrop.updateMany({ where: { templateId: t.from }, data: { templateId: t.id } }),
        p.galleryChange.create({
          data: { siteId: s.siteId, templateId: t.id, employeeId: t.employeeId, op: 'upsert' },
        }),
      ]),
      p.faceCrop.deleteMany({ where: { templateId: { in: s.remove.map((r) => r.id) } } }),
      p.faceTemplate.deleteMany({ where: { id: { in: s.remove.map((r) => r.id) } } }),
      ...s.remove.map((r) =>
        p.galleryChange.create({
          data: { siteId: s.siteId, templateId: r.id, employeeId: r.employeeId, op: 'delete' },
        }),
      ),
      p.site.update({ where: { id: s.siteId }, data: { faceModel: s.kind } }),
      p.galleryChange.create({
        data: { siteId: s.siteId, templateId: s.modelId, employeeId: '', op: MODEL_SWITCH_OP },
      }),
    ];
    const results = await p.$transaction(ops);
    return (results.at(-1) as { version: number }).version;
  }

  /** Photo evidence on or off; off deletes every kept crop of the site's employees. Returns the crops deleted. */
  async setPhotoEvidence(siteId: string, on: boolean): Promise<number> {
    const p = this.db.prisma;
    if (on) {
      await p.site.update({ where: { id: siteId }, data: { photoEvidence: true } });
      return 0;
    }
    const [deleted] = await p.$transaction([
      p.faceCrop.deleteMany({ where: { template: { employee: employeesOf(siteId) } } }),
      p.site.update({ where: { id: siteId }, data: { photoEvidence: false } }),
    ]);
    return deleted.count;
  }

  /** Kept crops of a site's employees. */
  countCrops(siteId: string): Promise<number> {
    return this.db.prisma.faceCrop.count({ where: { template: { employee: employeesOf(siteId) } } });
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
      // Their kept crops go with them (the foreign key cascades too; this does not rely on it).
      this.db.prisma.faceCrop.deleteMany({ where: { templateId: { in: rows.map((r) => r.id) } } }),
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
        employee: { active: true, ...employeesOf(siteId) },
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

  /** Sets a site's model where none is set yet (the model its first templates were made with). */
  async pinFaceModel(siteId: string, kind: string): Promise<boolean> {
    const r = await this.db.prisma.site.updateMany({
      where: { id: siteId, faceModel: null },
      data: { faceModel: kind },
    });
    return r.count > 0;
  }

  /** The model of a site's newest template, if any. */
  async latestModelId(siteId: string): Promise<string | undefined> {
    const t = await this.db.prisma.faceTemplate.findFirst({
      where: { employee: employeesOf(siteId) },
      orderBy: { createdAt: 'desc' },
      select: { modelId: true },
    });
    return t?.modelId;
  }

  sites() {
    return this.db.prisma.site.findMany({ select: { id: true, faceModel: true } });
  }
}
