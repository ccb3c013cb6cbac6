/**
 * A site's face settings: its descriptor model and whether enrollment face crops are kept.
 *
 * Switching the model (issue #5): templates of two models are never compared, so every template of
 * the site is re-derived with the new model from its kept crops (descriptor-migrate.ts), or lost.
 * An active employee who would be left without a template must enroll again: by default the switch
 * is then refused (409) with their names; `confirm` switches anyway, `dryRun` only says what would
 * happen (without loading any model). The switch is one transaction (new templates in, every other
 * model's template out, the site's model set, a model-switch entry in the gallery log), announced
 * with the new model id; a kiosk behind it gets the full gallery of the new model.
 *
 * Photo evidence (issue #3): off by default; when on, enrollment keeps the used photos' face crops,
 * encrypted (crop-vault.ts); turning it off deletes every kept crop of the site.
 */
import { randomUUID } from 'node:crypto';
import type { KeptFace } from '../../face/align.ts';
import type { EnrollmentRecord } from '../../face/descriptor-migrate.ts';
import type { DescriptorKind } from '../../face/descriptor-models.ts';
import type { Logger } from '../../lib/logger.ts';
import { AppError } from '../errors.ts';
import { decodeKeptFace } from './crop-codec.ts';
import type { CropVault } from './crop-vault.ts';
import type { FaceRepository } from './face.repository.ts';
import type { GalleryService } from './gallery.service.ts';

export type ReEnrollReason = 'NO_CROPS' | 'CROPS_UNREADABLE';

export interface ReEnroll {
  nip: string;
  name: string;
  code: ReEnrollReason;
  /** Indonesian / English. */
  message: string;
}

export interface ModelSwitchResult {
  siteId: string;
  from: DescriptorKind;
  to: DescriptorKind;
  modelId: string;
  dryRun: boolean;
  /** Whether anything was (or, with dryRun, would be) changed. */
  changed: boolean;
  /** Employees whose templates are (would be) re-derived from kept crops. */
  rederived: Array<{ nip: string; name: string; templates: number }>;
  /** Employees already holding a template of the new model. */
  unchanged: string[];
  /** Active employees left without a template: they must enroll again. */
  reEnroll: ReEnroll[];
  /** Templates of other models deleted (would be deleted). */
  removedTemplates: number;
  galleryVersion?: number;
}

const LIST_MAX = 20;

function reEnrollMessage(code: ReEnrollReason, from: string, to: DescriptorKind): string {
  return code === 'NO_CROPS'
    ? `Perlu pendaftaran wajah ulang: templat dibuat dengan model '${from}', foto bukti tidak disimpan / ` +
        `Re-enrollment needed: the template was made by '${from}' and no enrollment crops were kept, so it cannot be re-derived for '${to}'`
    : `Perlu pendaftaran wajah ulang: foto bukti tidak dapat dibaca (kunci berbeda atau rusak) / ` +
        `Re-enrollment needed: the kept enrollment crops cannot be read (another key, or damaged)`;
}

export class SiteFaceService {
  constructor(
    private readonly repo: FaceRepository,
    private readonly gallery: GalleryService,
    private readonly vault: CropVault,
    private readonly log: Logger,
  ) {}

  private async site(siteId: string) {
    const s = await this.repo.siteFaceSettings(siteId);
    if (!s) throw new AppError('NOT_FOUND', `site ${siteId} not found`);
    return s;
  }

  /** The site's model (kind and full id) and photo evidence setting. */
  async settings(siteId: string) {
    const s = await this.site(siteId);
    const kind = this.gallery.kindOf(s);
    return { faceModel: kind, faceModelId: this.gallery.modelIdOf(kind), photoEvidence: s.photoEvidence };
  }

  setPhotoEvidence(siteId: string, on: boolean) {
    return this.gallery.exclusive(async () => {
      const before = await this.site(siteId);
      const cropsDeleted = await this.repo.setPhotoEvidence(siteId, on);
      if (!on && cropsDeleted > 0)
        this.log.info({ siteId, cropsDeleted }, 'photo evidence off: kept crops deleted');
      return {
        photoEvidence: on,
        cropsDeleted,
        message: on
          ? 'Foto bukti aktif: pendaftaran berikutnya menyimpan potongan wajah terenkripsi; templat yang sudah ada tidak punya foto / ' +
            'Photo evidence on: later enrollments keep encrypted face crops; existing templates have none'
          : before.photoEvidence || cropsDeleted > 0
            ? `Foto bukti nonaktif: ${cropsDeleted} potongan wajah dihapus; mengganti model wajah berikutnya memerlukan pendaftaran ulang / ` +
              `Photo evidence off: ${cropsDeleted} face crop(s) deleted; a later face model switch needs re-enrollment`
            : 'Foto bukti nonaktif / Photo evidence off',
      };
    });
  }

  switchModel(
    siteId: string,
    to: DescriptorKind,
    opts: { dryRun?: boolean; confirm?: boolean } = {},
  ): Promise<ModelSwitchResult> {
    return this.gallery.exclusive(() =>
      this.switchNow(siteId, to, opts.dryRun ?? false, opts.confirm ?? false),
    );
  }

  private async switchNow(
    siteId: string,
    to: DescriptorKind,
    dryRun: boolean,
    confirm: boolean,
  ): Promise<ModelSwitchResult> {
    const site = await this.site(siteId);
    const from = this.gallery.kindOf(site);
    const modelId = this.gallery.modelIdOf(to);
    const rows = await this.repo.templatesForSwitch(siteId);
    const others = rows.filter((r) => r.modelId !== modelId);
    const keeps = new Set(rows.filter((r) => r.modelId === modelId && r.active).map((r) => r.employeeId));
    const names = new Map(rows.map((r) => [r.employeeId, r.name]));
    // Active employees' templates of other models, with crops (re-derivable) or without.
    const todo = others.filter((r) => r.active && r.crops > 0);
    const lost = new Map<string, ReEnroll>();
    const markLost = (nip: string, fromModel: string, code: ReEnrollReason) => {
      if (keeps.has(nip) || lost.has(nip)) return;
      lost.set(nip, {
        nip,
        name: names.get(nip) ?? nip,
        code,
        message: reEnrollMessage(code, fromModel, to),
      });
    };
    const willHave = new Set([...keeps, ...todo.map((r) => r.employeeId)]);
    for (const r of others)
      if (r.active && !willHave.has(r.employeeId)) markLost(r.employeeId, r.modelId, 'NO_CROPS');

    const result = (
      rederived: Map<string, number>,
      extra: Partial<ModelSwitchResult> = {},
    ): ModelSwitchResult => ({
      siteId,
      from,
      to,
      modelId,
      dryRun,
      changed: from !== to || others.length > 0,
      rederived: [...rederived].map(([nip, templates]) => ({ nip, name: names.get(nip) ?? nip, templates })),
      unchanged: [...keeps].sort(),
      reEnroll: [...lost.values()],
      removedTemplates: others.length,
      ...extra,
    });
    const countBy = (list: Array<{ employeeId: string }>) => {
      const m = new Map<string, number>();
      for (const r of list) m.set(r.employeeId, (m.get(r.employeeId) ?? 0) + 1);
      return m;
    };
    if (dryRun) return result(countBy(todo));
    if (from === to && others.length === 0) return result(new Map());
    this.refuseUnlessConfirmed(siteId, to, lost, confirm);

    // Re-derive each template from its own crops (one template per enrollment, as before).
    const records: EnrollmentRecord[] = [];
    const byId = new Map(todo.map((r) => [r.id, r]));
    for (const r of todo) {
      const crops: KeptFace[] = [];
      try {
        for (const c of await this.repo.cropsOf(r.id))
          crops.push(await decodeKeptFace(this.vault.open(c.id, c.data)));
      } catch (err) {
        this.log.warn(
          { err, siteId, templateId: r.id },
          'kept crops unreadable: the template cannot be re-derived',
        );
        continue;
      }
      records.push({ personId: r.id, modelId: r.modelId, crops });
    }
    const d = records.length > 0 ? await this.gallery.rederive(to, records) : undefined;
    const add = (d?.templates ?? []).map((t) => {
      const old = byId.get(t.personId);
      return {
        id: randomUUID(),
        employeeId: old?.employeeId as string,
        descriptor: t.vector,
        from: t.personId,
      };
    });
    const got = new Set(add.map((a) => a.employeeId));
    for (const r of todo) if (!got.has(r.employeeId)) markLost(r.employeeId, r.modelId, 'CROPS_UNREADABLE');
    try {
      this.refuseUnlessConfirmed(siteId, to, lost, confirm);
    } catch (err) {
      // Refused after re-deriving: the new model (~150 MB) was loaded for nothing.
      await this.gallery.releaseUnusedModels();
      throw err;
    }

    const version = await this.repo.switchModel({
      siteId,
      kind: to,
      modelId,
      add,
      remove: others.map((r) => ({ id: r.id, employeeId: r.employeeId })),
    });
    this.log.info(
      { siteId, from, to, rederived: add.length, removed: others.length, reEnroll: lost.size, version },
      'site face model switched',
    );
    await this.gallery.announce(siteId, version);
    await this.gallery.releaseUnusedModels();
    return result(countBy(add), { galleryVersion: version });
  }

  private refuseUnlessConfirmed(
    siteId: string,
    to: DescriptorKind,
    lost: Map<string, ReEnroll>,
    confirm: boolean,
  ): void {
    if (confirm || lost.size === 0) return;
    const all = [...lost.values()];
    const list = all
      .slice(0, LIST_MAX)
      .map((e) => `${e.nip} (${e.name})`)
      .join(', ');
    const more = all.length > LIST_MAX ? all.length - LIST_MAX : 0;
    throw new AppError(
      'CONFLICT',
      `Model wajah situs ${siteId} tidak diganti ke ${to}: ${all.length} pegawai akan kehilangan templat dan perlu ` +
        `pendaftaran wajah ulang (foto bukti tidak disimpan): ${list}${more ? ` dan ${more} lainnya` : ''}. ` +
        `Kirim confirm: true untuk tetap mengganti (templat mereka dihapus), atau dryRun: true untuk melihat daftarnya / ` +
        `Face model of site ${siteId} not switched to ${to}: ${all.length} employee(s) would lose their template and ` +
        `need re-enrollment (no enrollment crops kept): ${list}${more ? ` and ${more} more` : ''}. ` +
        `Send confirm: true to switch anyway (their templates are deleted), or dryRun: true to list them`,
    );
  }
}
