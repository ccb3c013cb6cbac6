import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.ts';
import {
  encodeDescriptor,
  type GalleryAnnouncement,
  type GalleryDelta,
  PROTOCOL_VERSION,
} from '../../protocol/index.ts';
import { AppError } from '../errors.ts';
import { inScope, type Scope } from '../services/scope.ts';
import type { FaceRepository } from './face.repository.ts';
import type { FaceEnroller } from './face-engine.port.ts';

export interface GalleryPublisher {
  /** Retained on att/v1/site/{site}/gallery. */
  publishGallery(siteId: string, payload: string): Promise<void>;
}

/** Beyond this many changed templates a kiosk gets the whole gallery instead of a delta. */
const MAX_DELTA_IDS = 500;

/** Enrollment, template deletion and the per-site gallery versions the kiosks sync from. */
export class GalleryService {
  constructor(
    private readonly repo: FaceRepository,
    private readonly enroller: FaceEnroller,
    private readonly publisher: GalleryPublisher,
    private readonly unitOf: (nip: string) => Promise<string | null>,
    private readonly log: Logger,
  ) {}

  /** The enroller's model once loaded, else the model of the site's newest template. */
  private async modelOf(siteId: string): Promise<string> {
    return this.enroller.modelId ?? (await this.repo.latestModelId(siteId)) ?? 'none';
  }

  private async employeeSite(nip: string, scope: Scope): Promise<string> {
    const unit = await this.unitOf(nip);
    if (unit === null) throw new AppError('NOT_FOUND', `employee ${nip} not found`);
    if (!inScope(scope, unit)) throw new AppError('FORBIDDEN', `employee ${nip} is outside your scope`);
    const site = await this.repo.siteOfEmployee(nip);
    if (!site) throw new AppError('NOT_FOUND', `employee ${nip} not found`);
    return site;
  }

  /** 1–5 photos → one template, or 422 with the reason for every refused photo. Photos are not kept. */
  async enroll(nip: string, photos: Buffer[], scope: Scope) {
    const siteId = await this.employeeSite(nip, scope);
    const r = await this.enroller.enroll(nip, photos);
    if (!r.descriptor) {
      const reasons = r.refused.map((x) => `foto ${x.index + 1}: ${x.message}`).join('; ');
      throw new AppError('UNPROCESSABLE', `no usable photo (${reasons})`);
    }
    const templateId = randomUUID();
    const modelId = this.enroller.modelId as string;
    const version = await this.repo.addTemplate({
      id: templateId,
      employeeId: nip,
      siteId,
      modelId,
      descriptor: r.descriptor,
    });
    await this.announce(siteId, version);
    return { templateId, modelId, used: r.used, refused: r.refused, galleryVersion: version };
  }

  async list(nip: string, scope: Scope) {
    await this.employeeSite(nip, scope);
    return this.repo.listTemplates(nip);
  }

  /** Removes one template, or all of an employee's; kiosks drop them at their next sync. */
  async remove(nip: string, scope: Scope, templateId?: string): Promise<{ deleted: number }> {
    const siteId = await this.employeeSite(nip, scope);
    const r = await this.repo.deleteTemplates(
      { employeeId: nip, ...(templateId ? { id: templateId } : {}) },
      siteId,
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
    for (const s of await this.repo.sites()) {
      const v = await this.repo.siteVersion(s.id);
      if (v > 0) await this.announce(s.id, v);
    }
  }

  /** What a kiosk of `siteId` at version `since` needs to be current. */
  async delta(siteId: string, since: number): Promise<GalleryDelta> {
    const version = await this.repo.siteVersion(siteId);
    const modelId = await this.modelOf(siteId);
    const changes = since > 0 && since <= version ? await this.repo.changesSince(siteId, since) : undefined;
    const latest = new Map<string, string>();
    for (const c of changes ?? []) latest.set(c.templateId, c.op);
    const full = changes === undefined || latest.size > MAX_DELTA_IDS;
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
