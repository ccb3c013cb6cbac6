import { randomUUID } from 'node:crypto';
import type { EnrollmentRecord } from '../../face/descriptor-migrate.ts';
import {
  DESCRIPTOR_KINDS,
  type DescriptorKind,
  isDescriptorKind,
  kindOfModelId,
} from '../../face/descriptor-models.ts';
import type { Logger } from '../../lib/logger.ts';
import {
  encodeDescriptor,
  type GalleryAnnouncement,
  type GalleryDelta,
  PROTOCOL_VERSION,
} from '../../protocol/index.ts';
import { AppError } from '../errors.ts';
import { inScope, type Scope } from '../services/scope.ts';
import { encodeKeptFace } from './crop-codec.ts';
import type { CropVault } from './crop-vault.ts';
import { type FaceRepository, MODEL_SWITCH_OP } from './face.repository.ts';
import type { FaceEnroller } from './face-engine.port.ts';

export interface GalleryPublisher {
  /** Retained on att/v1/site/{site}/gallery. */
  publishGallery(siteId: string, payload: string): Promise<void>;
}

/** Beyond this many changed templates a kiosk gets the whole gallery instead of a delta. */
const MAX_DELTA_IDS = 500;

/**
 * Enrollment, template deletion and the per-site gallery versions the kiosks sync from. One
 * descriptor model per site (Site.faceModel, else the server's FACE_DESCRIPTOR): enrollment uses
 * it, the announcements and deltas name it, and only its templates are ever served.
 */
export class GalleryService {
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repo: FaceRepository,
    private readonly enroller: FaceEnroller,
    private readonly publisher: GalleryPublisher,
    private readonly unitOf: (nip: string) => Promise<string | null>,
    private readonly log: Logger,
    private readonly opts: { defaultKind: DescriptorKind; vault: CropVault },
  ) {}

  /**
   * Runs template-changing work one at a time: an enrollment finishing with the old model after a
   * switch committed would put a template of another model in the site's gallery.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** A site's descriptor model (kind): its own setting, else the server's default. */
  kindOf(site: { faceModel: string | null } | null): DescriptorKind {
    const k = site?.faceModel;
    return k && isDescriptorKind(k) ? k : this.opts.defaultKind;
  }

  async siteKind(siteId: string): Promise<DescriptorKind> {
    return this.kindOf(await this.repo.siteFaceSettings(siteId));
  }

  modelIdOf(kind: DescriptorKind): string {
    return this.enroller.modelIdOf(kind);
  }

  private async modelOf(siteId: string): Promise<string> {
    return this.enroller.modelIdOf(await this.siteKind(siteId));
  }

  /** Templates of `kind`'s model from kept crops (the enroller's pipeline for that model). */
  rederive(kind: DescriptorKind, records: EnrollmentRecord[]) {
    return this.enroller.rederive(kind, records);
  }

  /** Unloads the models no site uses any more. */
  async releaseUnusedModels(): Promise<void> {
    const used = new Set((await this.repo.sites()).map((s) => this.kindOf(s)));
    await this.enroller.release(used);
  }

  private async employeeSite(nip: string, scope: Scope): Promise<string> {
    const unit = await this.unitOf(nip);
    if (unit === null) throw new AppError('NOT_FOUND', `employee ${nip} not found`);
    if (!inScope(scope, unit)) throw new AppError('FORBIDDEN', `employee ${nip} is outside your scope`);
    const site = await this.repo.siteOfEmployee(nip);
    if (!site) throw new AppError('NOT_FOUND', `employee ${nip} not found`);
    return site;
  }

  /**
   * 1–5 photos → one template with the site's model, or 422 with the reason for every refused photo.
   * Photos are not kept; with the site's photo evidence on, the face crops of the used photos are
   * kept, encrypted, with the template (so a model switch can re-derive it).
   */
  async enroll(nip: string, photos: Buffer[], scope: Scope) {
    const siteId = await this.employeeSite(nip, scope);
    return this.exclusive(async () => {
      const site = await this.repo.siteFaceSettings(siteId);
      const kind = this.kindOf(site);
      const evidence = site?.photoEvidence ?? false;
      const r = await this.enroller.enroll(kind, nip, photos, { keepCrops: evidence });
      if (!r.descriptor) {
        const reasons = r.refused.map((x) => `foto ${x.index + 1}: ${x.message}`).join('; ');
        throw new AppError('UNPROCESSABLE', `no usable photo (${reasons})`);
      }
      const templateId = randomUUID();
      const crops = [];
      for (const k of r.crops) {
        const id = randomUUID();
        crops.push({ id, data: this.opts.vault.seal(id, await encodeKeptFace(k)) });
      }
      // The site keeps this model from now on, whatever FACE_DESCRIPTOR says later: switching is
      // explicit. The repository pins it, or refuses if another instance switched the site meanwhile.
      const { version, cropsKept } = await this.repo.addTemplate({
        id: templateId,
        employeeId: nip,
        siteId,
        modelId: r.modelId,
        faceModel: kind,
        descriptor: r.descriptor,
        crops,
      });
      await this.announce(siteId, version);
      return {
        templateId,
        modelId: r.modelId,
        faceModel: kind,
        used: r.used,
        refused: r.refused,
        cropsKept,
        galleryVersion: version,
      };
    });
  }

  async list(nip: string, scope: Scope) {
    await this.employeeSite(nip, scope);
    return this.repo.listTemplates(nip);
  }

  /** Removes one template, or all of an employee's; kiosks drop them at their next sync. */
  async remove(nip: string, scope: Scope, templateId?: string): Promise<{ deleted: number }> {
    const siteId = await this.employeeSite(nip, scope);
    const r = await this.exclusive(() =>
      this.repo.deleteTemplates({ employeeId: nip, ...(templateId ? { id: templateId } : {}) }, siteId),
    );
    if (templateId && r.deleted === 0) throw new AppError('NOT_FOUND', `template ${templateId} not found`);
    if (r.version !== undefined) await this.announce(siteId, r.version);
    return { deleted: r.deleted };
  }

  /**
   * "Deleting" an employee: attendance history stays (it is evidence), but the person is
   * deactivated and their templates are deleted here and, through the gallery delta, on every kiosk.
   */
  async deleteEmployee(nip: string, scope: Scope): Promise<{ deleted: number; active: false }> {
    const r = await this.remove(nip, scope);
    await this.repo.deactivateEmployee(nip);
    return { deleted: r.deleted, active: false };
  }

  async announce(siteId: string, version?: number): Promise<void> {
    const v = version ?? (await this.repo.siteVersion(siteId));
    const a: GalleryAnnouncement = {
      v: PROTOCOL_VERSION,
      siteId,
      version: v,
      modelId: await this.modelOf(siteId),
    };
    await this.publisher.publishGallery(siteId, JSON.stringify(a)).catch((err: unknown) => {
      this.log.warn({ err, siteId }, 'gallery announcement failed; kiosks see it at the next one');
    });
  }

  /** Every site's current version, retained, so a kiosk connecting later learns it at once. */
  async announceAll(): Promise<void> {
    await this.pinLegacySites();
    for (const s of await this.repo.sites()) {
      if (s.faceModel !== null && !isDescriptorKind(s.faceModel)) {
        this.log.error(
          { siteId: s.id, faceModel: s.faceModel, shipped: DESCRIPTOR_KINDS },
          'site face model is not a shipped model: the server default is used',
        );
      }
      const v = await this.repo.siteVersion(s.id);
      if (v > 0) await this.announce(s.id, v);
    }
  }

  /**
   * Sites with templates but no model of their own (enrolled before sites had one) keep the model of
   * their templates: a changed FACE_DESCRIPTOR must not silently empty their kiosks' galleries.
   */
  private async pinLegacySites(): Promise<void> {
    for (const s of await this.repo.sites()) {
      if (s.faceModel !== null) continue;
      const modelId = await this.repo.latestModelId(s.id);
      const kind = modelId === undefined ? undefined : kindOfModelId(modelId);
      if (!kind) continue;
      await this.repo.pinFaceModel(s.id, kind);
      if (kind !== this.opts.defaultKind) {
        this.log.warn(
          { siteId: s.id, faceModel: kind, serverDefault: this.opts.defaultKind },
          'site keeps the model of its templates; switch it with POST /api/sites/{id}/face-model',
        );
      }
    }
  }

  /** What a kiosk of `siteId` at version `since` needs to be current. */
  async delta(siteId: string, since: number): Promise<GalleryDelta> {
    const version = await this.repo.siteVersion(siteId);
    const modelId = await this.modelOf(siteId);
    const changes = since > 0 && since <= version ? await this.repo.changesSince(siteId, since) : undefined;
    const latest = new Map<string, string>();
    let switched = false;
    for (const c of changes ?? []) {
      if (c.op === MODEL_SWITCH_OP) switched = true;
      else latest.set(c.templateId, c.op);
    }
    // After a model switch a kiosk gets the new model's whole gallery, never a mix of models.
    const full = changes === undefined || switched || latest.size > MAX_DELTA_IDS;
    const upsertIds = full ? undefined : [...latest].filter(([, op]) => op === 'upsert').map(([id]) => id);
    const rows =
      upsertIds && upsertIds.length === 0 ? [] : await this.repo.templatesOfSite(siteId, upsertIds);
    const found = new Set(rows.map((r) => r.id));
    return {
      siteId,
      version,
      modelId,
      full,
      upserts: rows
        .filter((r) => r.modelId === modelId)
        .map((r) => ({
          templateId: r.id,
          employeeId: r.employeeId,
          name: r.employee.name,
          modelId: r.modelId,
          descriptor: encodeDescriptor(new Float32Array(Uint8Array.from(r.descriptor).buffer)),
        })),
      // A template upserted and then removed with its employee's deactivation is a delete too.
      deletes: full
        ? []
        : [...latest].filter(([id, op]) => op === 'delete' || !found.has(id)).map(([id]) => id),
    };
  }
}
