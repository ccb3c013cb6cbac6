/**
 * Keeps the local gallery in step with the site's (contract: protocol/gallery.ts). The backend
 * announces the site's latest gallery version, retained, on att/v1/site/{site}/gallery; when it is
 * newer than the local copy the kiosk pulls
 *
 *   GET {apiUrl}/api/kiosk/gallery?since=<local version>   (HTTP Basic, terminal id : terminal secret)
 *
 * validates the GalleryDelta with the protocol's zod schema, applies it to the store in one
 * transaction and refreshes the in-memory gallery. The kiosk also pulls once at start (and when
 * asked, e.g. on a new config), so it catches up without the broker. A failed pull (backend down,
 * HTTP error, bad payload) is retried with exponential backoff and jitter; one pull at a time.
 *
 * One model per site: when the announcement or the delta names another descriptor model than the
 * local copy's, the site has switched models. With `followModel` the kiosk switches its engine to
 * it (the store drops the old model's templates) and takes the new model's full gallery; without
 * it, or when the kiosk cannot run that model, the gallery is refused, never mixed.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../../lib/logger.ts';
import { decodePayload, GalleryAnnouncement, GalleryDelta } from '../../protocol/index.ts';
import type { ApplyResult, GalleryStore } from './gallery-store.ts';

export interface GallerySyncOptions {
  store: GalleryStore;
  /** Backend base URL, e.g. http://10.0.0.5:8080. */
  apiUrl: string;
  terminalId: string;
  secret: string;
  log: Logger;
  fetch?: typeof fetch;
  timeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Largest delta accepted (a 50,000-template full gallery of 128-d vectors is ~35 MB of JSON). */
  maxBytes?: number;
  random?: () => number;
  /**
   * The site's gallery is made by `modelId`: make the kiosk run it (engine and in-memory gallery)
   * and call `store.switchModel`; throw (with the reason) when this kiosk cannot.
   */
  followModel?: (modelId: string) => Promise<void>;
}

export class GallerySyncError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GallerySyncError';
  }
}

export type AppliedDelta = Extract<ApplyResult, { applied: true }>;

type SyncEvents = {
  /** A delta was applied to the store (refresh the in-memory gallery, publish status). */
  applied: [AppliedDelta];
};

export class GallerySync extends EventEmitter<SyncEvents> {
  /** Highest version announced (or asked for); a pull is due while the local copy is older. */
  private wanted = 0;
  private forced = false;
  private running: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private stopped = false;
  /** A site model this kiosk cannot use, per announced version: said once, not pulled again. */
  private refusedAt: { version: number; modelId: string } | undefined;
  private waiters: Array<{ version: number; resolve: () => void }> = [];
  stats = { pulls: 0, applied: 0, failures: 0, refusedTemplates: 0 };
  lastError: string | undefined;

  constructor(private readonly opts: GallerySyncOptions) {
    super();
    this.backoffMs = opts.minBackoffMs ?? 1000;
  }

  get version(): number {
    return this.opts.store.version();
  }

  /** Pulls once now (catch-up after a restart, or when the backend may have news). */
  start(): void {
    this.requestPull();
  }

  /** A retained or live announcement from the broker. */
  onAnnouncement(raw: Buffer): void {
    const d = decodePayload(GalleryAnnouncement, raw, 4096);
    if (!d.ok) {
      this.opts.log.warn({ code: d.code, reason: d.reason }, 'bad gallery announcement ignored');
      return;
    }
    const a = d.value;
    if (a.modelId !== this.opts.store.modelId && this.opts.followModel) {
      // The site switched models: the pull answers with the new model's gallery and the switch follows it.
      if (this.refusedAt?.version === a.version && this.refusedAt.modelId === a.modelId) return;
      this.opts.log.info(
        { siteModel: a.modelId, kioskModel: this.opts.store.modelId, version: a.version },
        'site gallery announced with another descriptor model',
      );
      this.requestPull(a.version);
      return;
    }
    if (a.modelId !== this.opts.store.modelId) {
      if (this.refusedAt?.version !== a.version) {
        this.opts.log.error(
          { siteModel: a.modelId, kioskModel: this.opts.store.modelId, version: a.version },
          'site gallery is made by another descriptor model: not pulling it (update the kiosk or re-enroll the site)',
        );
        this.refusedAt = { version: a.version, modelId: a.modelId };
      }
      return;
    }
    if (a.version <= this.version) return;
    this.opts.log.info({ announced: a.version, local: this.version }, 'gallery update announced');
    this.requestPull(a.version);
  }

  /** Asks for a pull; `version`: the announced version to reach (none: pull whatever is new). */
  requestPull(version?: number): void {
    if (this.stopped) return;
    if (version === undefined) this.forced = true;
    else this.wanted = Math.max(this.wanted, version);
    if (this.running !== undefined) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.running = this.loop()
      .catch((err: unknown) => this.opts.log.error({ err }, 'gallery sync stopped on an unexpected error'))
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Resolves once the local copy has reached `version` (tests, start-up). */
  reached(version: number): Promise<void> {
    if (this.version >= version) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ version, resolve }));
  }

  /** Resolves when no pull is in flight (a retry may still be scheduled). */
  async idle(): Promise<void> {
    for (let r = this.running; r !== undefined; r = this.running) await r;
  }

  private due(): boolean {
    return this.forced || this.wanted > this.version;
  }

  private async loop(): Promise<void> {
    while (!this.stopped && this.due()) {
      const since = this.version;
      const forced = this.forced;
      this.forced = false;
      try {
        const result = await this.pullOnce(since);
        this.backoffMs = this.opts.minBackoffMs ?? 1000;
        this.lastError = undefined;
        if (result === 'refused') return;
        if (this.forced) continue; // a model switch asked for the full gallery
        if (!forced && this.wanted > this.version) {
          // The backend answered with an older version than announced (e.g. a replica behind): later.
          this.scheduleRetry(`backend answered version ${this.version}, ${this.wanted} was announced`);
          return;
        }
      } catch (err) {
        this.stats.failures++;
        this.lastError = (err as Error).message;
        if (forced) this.forced = true;
        this.scheduleRetry(this.lastError, err instanceof GallerySyncError ? err.status : undefined);
        return;
      }
    }
  }

  private scheduleRetry(reason: string, status?: number): void {
    if (this.stopped) return;
    const jitter = 0.5 + (this.opts.random ?? Math.random)();
    const delay = Math.round(this.backoffMs * jitter);
    const level = status === 401 || status === 403 ? 'error' : 'warn';
    this.opts.log[level](
      { reason, retryInMs: delay, local: this.version },
      'gallery sync failed; will retry',
    );
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 300_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.requestPull();
    }, delay);
    this.retryTimer.unref();
  }

  /** One GET and apply. Throws GallerySyncError on anything that should be retried. */
  private async pullOnce(since: number): Promise<'applied' | 'unchanged' | 'refused'> {
    this.stats.pulls++;
    const url = new URL('/api/kiosk/gallery', this.opts.apiUrl);
    url.searchParams.set('since', String(since));
    const auth = Buffer.from(`${this.opts.terminalId}:${this.opts.secret}`).toString('base64');
    let res: Response;
    try {
      res = await (this.opts.fetch ?? fetch)(url, {
        headers: { authorization: `Basic ${auth}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new GallerySyncError(`backend unreachable (${cause ?? (err as Error).message})`);
    }
    if (res.status === 204 || res.status === 304) return 'unchanged';
    const body = await res.text();
    if (res.status !== 200) {
      const hint =
        res.status === 401 || res.status === 403
          ? ': terminal credentials refused'
          : res.status === 404
            ? ': no gallery endpoint on the backend'
            : '';
      throw new GallerySyncError(`HTTP ${res.status}${hint}`, res.status);
    }
    const d = decodePayload(GalleryDelta, body, this.opts.maxBytes ?? 256 << 20);
    if (!d.ok) throw new GallerySyncError(`invalid gallery delta (${d.code}): ${d.reason}`);
    const delta = d.value;
    let r = this.opts.store.apply(delta);
    if (!r.applied && r.reason === 'model-mismatch' && this.opts.followModel) {
      const from = this.opts.store.modelId;
      try {
        await this.opts.followModel(delta.modelId);
      } catch (err) {
        this.opts.log.error(
          { siteModel: delta.modelId, kioskModel: from, version: delta.version, err },
          `gallery refused: the site switched to model '${delta.modelId}', which this kiosk cannot run`,
        );
        this.refusedAt = { version: delta.version, modelId: delta.modelId };
        this.wanted = 0;
        return 'refused';
      }
      this.opts.log.warn(
        { from, to: this.opts.store.modelId, version: delta.version },
        'site descriptor model switched: this kiosk follows it, old templates dropped',
      );
      if (!delta.full) {
        // Only a full gallery of the new model will do: pull everything (the store is at version 0).
        this.forced = true;
        return 'unchanged';
      }
      r = this.opts.store.apply(delta);
    }
    if (!r.applied) {
      if (r.reason === 'model-mismatch') {
        this.opts.log.error(
          { siteModel: delta.modelId, kioskModel: this.opts.store.modelId, version: delta.version },
          `gallery refused: ${r.message}`,
        );
        this.refusedAt = { version: delta.version, modelId: delta.modelId };
        this.wanted = 0;
        return 'refused';
      }
      this.opts.log.warn(
        { version: delta.version, local: this.version },
        `gallery delta ignored: ${r.message}`,
      );
      return 'unchanged';
    }
    this.stats.applied++;
    this.stats.refusedTemplates += r.refused;
    if (r.refused > 0) {
      this.opts.log.warn(
        { refused: r.refused, kioskModel: this.opts.store.modelId },
        'gallery templates refused: made by another descriptor model or malformed',
      );
    }
    const changed = r.full || r.upserted > 0 || r.deleted > 0 || r.version !== since;
    this.opts.log[changed ? 'info' : 'debug'](
      {
        version: r.version,
        full: r.full,
        upserted: r.upserted,
        deleted: r.deleted,
        templates: this.opts.store.count(),
      },
      changed ? 'gallery updated' : 'gallery up to date',
    );
    this.emit('applied', r);
    for (const w of this.waiters.filter((x) => x.version <= r.version)) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
    return 'applied';
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }
}
