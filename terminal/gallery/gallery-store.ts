/**
 * The kiosk's copy of its site's gallery: face templates (not photos) in a local SQLite file, so the
 * kiosk recognises people after a restart and while the backend or the broker is down.
 *
 * Templates are biometric personal data (UU 27/2022): the file (and its WAL/SHM companions) is
 * created with mode 0600, and a template removed by the backend is deleted here at the next sync.
 * Each template carries its descriptor model id; the store holds one model's templates only. When
 * the kiosk's engine runs another model than the stored one, the stored templates are useless (their
 * vectors live in another space), so they are dropped and the version reset to 0: the next sync is a
 * full one. The stored model id is also the site's model as last learned: a kiosk starts its engine
 * with it (peekModelId) and follows a switch of its site's model (switchModel).
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Gallery } from '../../face/gallery.ts';
import type { Logger } from '../../lib/logger.ts';
import { decodeDescriptor, type GalleryDelta } from '../../protocol/index.ts';
import { type DeviceMigration, openDeviceDb } from '../device-db.ts';

export interface StoredTemplate {
  templateId: string;
  employeeId: string;
  name: string;
  modelId: string;
  vector: Float32Array;
}

export type ApplyResult =
  | {
      applied: true;
      full: boolean;
      version: number;
      upserted: number;
      deleted: number;
      /** Templates skipped: another model id, or a vector of the wrong size / not finite. */
      refused: number;
      /** Employees whose templates changed (to refresh the in-memory gallery). */
      affected: Set<string>;
    }
  | { applied: false; reason: 'model-mismatch' | 'stale'; message: string };

const MIGRATIONS: DeviceMigration[] = [
  (db) => {
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE template (
        template_id TEXT PRIMARY KEY,
        employee_id TEXT NOT NULL,
        name TEXT NOT NULL,
        model_id TEXT NOT NULL,
        descriptor BLOB NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX template_employee ON template(employee_id);
    `);
  },
];

type Row = { template_id: string; employee_id: string; name: string; model_id: string; descriptor: Buffer };

export interface GalleryStoreOptions {
  /** The engine's descriptor model: only its templates are kept. */
  modelId: string;
  /** Descriptor length. */
  dim: number;
  log?: Logger | undefined;
}

export class GalleryStore {
  private readonly db: Database.Database;
  private nameStmt: Database.Statement | undefined;
  private model: string;
  private size: number;

  /** The descriptor model this copy holds (the site's, as last learned), without opening it for writing. */
  static peekModelId(file: string): string | undefined {
    if (!existsSync(file)) return undefined;
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const r = db.prepare("SELECT value FROM meta WHERE key = 'model_id'").get() as
          | { value: string }
          | undefined;
        return r?.value;
      } finally {
        db.close();
      }
    } catch {
      return undefined; // no such table yet, or unreadable: the engine's default decides
    }
  }

  constructor(
    readonly file: string,
    opts: GalleryStoreOptions,
  ) {
    this.model = opts.modelId;
    this.size = opts.dim;
    this.db = openDeviceDb(file, MIGRATIONS);
    const stored = this.meta('model_id');
    if (stored !== undefined && stored !== this.modelId) {
      const n = this.count();
      this.db.transaction(() => {
        this.db.prepare('DELETE FROM template').run();
        this.setMeta('version', '0');
        this.setMeta('model_id', this.modelId);
      })();
      opts.log?.warn(
        { storedModel: stored, kioskModel: this.modelId, dropped: n },
        'local gallery was made by another descriptor model: templates dropped, a full sync will follow',
      );
    } else if (stored === undefined) this.setMeta('model_id', this.modelId);
  }

  private meta(key: string): string | undefined {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return r?.value;
  }

  private setMeta(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  /** The descriptor model whose templates this copy holds. */
  get modelId(): string {
    return this.model;
  }

  /** Descriptor length of that model. */
  get dim(): number {
    return this.size;
  }

  /**
   * The site switched its descriptor model and the kiosk's engine now runs `modelId`: every stored
   * template (another model's, useless now) is dropped and the version reset to 0, so the next pull
   * is the new model's full gallery. Returns the templates dropped.
   */
  switchModel(modelId: string, dim: number): number {
    const n = this.count();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM template').run();
      this.setMeta('version', '0');
      this.setMeta('model_id', modelId);
    })();
    this.model = modelId;
    this.size = dim;
    return n;
  }

  /** The site gallery version this copy corresponds to (0: never synced). */
  version(): number {
    return Number(this.meta('version') ?? '0');
  }

  siteId(): string | undefined {
    return this.meta('site_id');
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM template').get() as { n: number }).n;
  }

  templates(): StoredTemplate[] {
    return (this.db.prepare('SELECT * FROM template ORDER BY employee_id, template_id').all() as Row[]).map(
      toTemplate,
    );
  }

  templatesOf(employeeId: string): StoredTemplate[] {
    return (
      this.db
        .prepare('SELECT * FROM template WHERE employee_id = ? ORDER BY template_id')
        .all(employeeId) as Row[]
    ).map(toTemplate);
  }

  /** Display name of an employee, from their templates. */
  nameOf(employeeId: string): string | undefined {
    this.nameStmt ??= this.db.prepare('SELECT name FROM template WHERE employee_id = ? LIMIT 1');
    const r = this.nameStmt.get(employeeId) as { name: string } | undefined;
    return r?.name;
  }

  /**
   * Applies a validated delta in one transaction: with `full`, the delta replaces the whole copy;
   * otherwise upserts and deletes are applied on top. A delta for another descriptor model is
   * refused as a whole (nothing changes, the version stays); single templates of another model or
   * with a malformed vector are skipped and counted.
   */
  apply(delta: GalleryDelta): ApplyResult {
    if (delta.modelId !== this.modelId) {
      return {
        applied: false,
        reason: 'model-mismatch',
        message: `site gallery is made by model '${delta.modelId}', this kiosk runs '${this.modelId}'`,
      };
    }
    const current = this.version();
    if (!delta.full && delta.version < current) {
      return {
        applied: false,
        reason: 'stale',
        message: `delta version ${delta.version} is older than the local version ${current}`,
      };
    }
    const affected = new Set<string>();
    let upserted = 0;
    let deleted = 0;
    let refused = 0;
    const employeeOf = this.db.prepare('SELECT employee_id FROM template WHERE template_id = ?');
    const upsert = this.db.prepare(
      `INSERT INTO template (template_id, employee_id, name, model_id, descriptor, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(template_id) DO UPDATE SET employee_id = excluded.employee_id, name = excluded.name,
         model_id = excluded.model_id, descriptor = excluded.descriptor, updated_at = excluded.updated_at`,
    );
    const del = this.db.prepare('DELETE FROM template WHERE template_id = ?');
    this.db.transaction(() => {
      if (delta.full) {
        for (const r of this.db.prepare('SELECT DISTINCT employee_id FROM template').all() as Array<{
          employee_id: string;
        }>)
          affected.add(r.employee_id);
        this.db.prepare('DELETE FROM template').run();
      }
      const now = Date.now();
      for (const t of delta.upserts) {
        const vector = t.modelId === this.modelId ? decodeDescriptor(t.descriptor) : undefined;
        if (!vector || vector.length !== this.dim || !vector.every(Number.isFinite)) {
          refused++;
          continue;
        }
        const before = employeeOf.get(t.templateId) as { employee_id: string } | undefined;
        if (before) affected.add(before.employee_id);
        upsert.run(t.templateId, t.employeeId, t.name, t.modelId, Buffer.from(vector.buffer), now);
        affected.add(t.employeeId);
        upserted++;
      }
      for (const id of delta.deletes) {
        const before = employeeOf.get(id) as { employee_id: string } | undefined;
        if (!before) continue;
        del.run(id);
        affected.add(before.employee_id);
        deleted++;
      }
      this.setMeta('version', String(delta.version));
      this.setMeta('site_id', delta.siteId);
    })();
    return { applied: true, full: delta.full, version: delta.version, upserted, deleted, refused, affected };
  }

  /** Fills an empty in-memory gallery with every stored template. */
  loadInto(gallery: Gallery): { added: number; skipped: number } {
    return gallery.addAll(
      this.templates().map((t) => ({ personId: t.employeeId, modelId: t.modelId, vector: t.vector })),
    );
  }

  /** Brings these employees' templates in the in-memory gallery up to date with the store. */
  refreshInto(gallery: Gallery, employees: Iterable<string>): void {
    for (const e of employees) {
      gallery.removePerson(e);
      for (const t of this.templatesOf(e)) gallery.add({ personId: e, modelId: t.modelId, vector: t.vector });
    }
  }

  close(): void {
    this.db.close();
  }
}

function toTemplate(r: Row): StoredTemplate {
  const b = r.descriptor;
  // Copy into an aligned buffer (the Buffer may be a slice of a shared pool).
  const vector = new Float32Array(b.byteLength / 4);
  new Uint8Array(vector.buffer).set(b);
  return { templateId: r.template_id, employeeId: r.employee_id, name: r.name, modelId: r.model_id, vector };
}
