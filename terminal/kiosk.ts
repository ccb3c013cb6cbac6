import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { type LivenessLevel, stricterLevel } from '../face/liveness.ts';
import type { Recognizer } from '../face/recognizer.ts';
import type { Logger } from '../lib/logger.ts';
import {
  ConfigPayload,
  decodePayload,
  MAX_CONFIG_BYTES,
  PROTOCOL_VERSION,
  type StatusPayload,
} from '../protocol/index.ts';
import { KioskClock } from './clock.ts';
import type { GallerySync } from './gallery/gallery-sync.ts';
import type { KioskScreen } from './kiosk-screen.ts';
import { MqttLink } from './mqtt-link.ts';
import { Outbox, type StoredPunch } from './outbox.ts';
import type { PunchSource, Recognition } from './punch-source.ts';
import { PunchMemory } from './punch-status.ts';
import { OutboxSender } from './sender.ts';

export type KioskConfig = {
  terminalId: string;
  secret: string;
  mqttUrl: string;
  siteId?: string | undefined;
  dataDir: string;
  ackTimeoutMs?: number;
  statusIntervalMs?: number;
  /** Test-only fault injection at the one point the delivery guarantee hinges on. */
  fault?: 'crash-after-outbox-write' | undefined;
};

export interface LivenessControl {
  readonly floor: LivenessLevel;
  readonly level: LivenessLevel;
  setLevel(level: LivenessLevel): void;
}

/** The face side of a kiosk, as far as the kiosk core needs it: status, gallery sync, settings from config. */
export interface KioskFace {
  /** Descriptor model id, reported as the status' modelVersion. */
  modelVersion: string;
  /** Gallery sync: the site announcement goes to it; its version is the status' galleryVersion. */
  gallery?: GallerySync | undefined;
  /** Liveness level: the backend's config can raise it above the local `floor`, never lower it. */
  liveness?: LivenessControl | undefined;
  /** Cooldown from the config. */
  recognizer?: Recognizer | undefined;
  /** The site's face settings from the config (match, quality gates, tracking). */
  tune?: ((c: ConfigPayload) => void) | undefined;
}

export interface KioskExtras {
  screen?: KioskScreen | undefined;
  face?: KioskFace | undefined;
}

export class Kiosk {
  readonly outbox: Outbox;
  readonly link: MqttLink;
  readonly sender: OutboxSender;
  readonly clock = new KioskClock();
  private statusTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private drainedWaiters: Array<() => void> = [];
  config: ConfigPayload | undefined;

  private readonly screen: KioskScreen | undefined;
  private readonly face: KioskFace | undefined;
  private publishedGalleryVersion: number | undefined;
  private readonly punches = new PunchMemory();
  /** The last config, kept so a kiosk restarted offline keeps its site's settings and work hours. */
  private readonly configFile: string;

  constructor(
    private readonly cfg: KioskConfig,
    private readonly log: Logger,
    extras: KioskExtras = {},
  ) {
    this.screen = extras.screen;
    this.face = extras.face;
    this.outbox = new Outbox(join(cfg.dataDir, `outbox-${cfg.terminalId}.db`), (r) =>
      log.error(
        r,
        'the outbox file was damaged: set aside, its readable pending punches copied to a new one',
      ),
    );
    this.configFile = join(cfg.dataDir, `config-${cfg.terminalId}.json`);
    this.link = new MqttLink({
      url: cfg.mqttUrl,
      terminalId: cfg.terminalId,
      secret: cfg.secret,
      siteId: cfg.siteId,
      log,
    });
    this.sender = new OutboxSender(this.outbox, this.link, {
      log,
      ackTimeoutMs: cfg.ackTimeoutMs ?? 10_000,
      onServerTime: (s, r) => this.clock.observeServerTime(s, r),
      onDrained: () => {
        for (const w of this.drainedWaiters.splice(0)) w();
      },
    });
  }

  private loadSavedConfig(): void {
    let raw: Buffer;
    try {
      raw = readFileSync(this.configFile);
    } catch {
      return; // none yet
    }
    const d = decodePayload(ConfigPayload, raw, MAX_CONFIG_BYTES);
    if (!d.ok) {
      this.log.warn({ code: d.code, reason: d.reason }, 'saved config unreadable; waiting for the backend');
      return;
    }
    this.config = d.value;
    this.applyFaceConfig(d.value);
  }

  private saveConfig(raw: Buffer): void {
    try {
      const tmp = `${this.configFile}.tmp`;
      writeFileSync(tmp, raw, { mode: 0o600 });
      renameSync(tmp, this.configFile);
    } catch (err) {
      this.log.warn({ err }, 'could not save config');
    }
  }

  start(): void {
    this.loadSavedConfig();
    this.link.on('connect', () => {
      this.log.info('connected');
      this.publishStatus();
      this.sender.onConnect();
      // Back online: catch up with the gallery (the retained announcement also arrives, if --site is set).
      this.face?.gallery?.requestPull();
    });
    this.link.on('close', () => this.log.debug('disconnected'));
    this.link.on('ack', (p) => this.sender.onAck(p));
    this.link.on('config', (p, retained) => this.onConfig(p, retained));
    const gallery = this.face?.gallery;
    if (gallery) {
      this.link.on('gallery', (p) => gallery.onAnnouncement(p));
      gallery.on('applied', (r) => {
        if (this.link.connected && r.version !== this.publishedGalleryVersion) this.publishStatus();
      });
    }
    this.link.start();
    gallery?.start();
    this.sender.start();
    this.statusTimer = setInterval(() => {
      if (this.link.connected) this.publishStatus();
    }, this.cfg.statusIntervalMs ?? 30_000);
    this.statusTimer.unref();
    // Acknowledged punches stay a week for local audit, then go.
    const prune = () => {
      const n = this.outbox.prune(7 * 24 * 3600_000);
      if (n > 0) this.log.info({ pruned: n }, 'pruned acknowledged punches');
    };
    prune();
    this.pruneTimer = setInterval(prune, 3600_000);
    this.pruneTimer.unref();
  }

  private onConfig(raw: Buffer, retained: boolean): void {
    const d = decodePayload(ConfigPayload, raw, MAX_CONFIG_BYTES);
    if (!d.ok) {
      this.log.warn({ code: d.code, reason: d.reason }, 'bad config ignored');
      return;
    }
    this.config = d.value;
    this.saveConfig(raw);
    if (!retained) this.clock.observeServerTime(new Date(d.value.serverTime), this.clock.now());
    this.log.info({ timeZone: d.value.timeZone, siteId: d.value.siteId }, 'config received');
    this.applyFaceConfig(d.value);
  }

  /** Liveness level (never below the local floor), cooldown and face settings from the backend's config. */
  private applyFaceConfig(c: ConfigPayload): void {
    const f = this.face;
    if (!f) return;
    if (f.liveness) {
      const level = stricterLevel(f.liveness.floor, c.livenessLevel);
      if (level !== f.liveness.level) {
        this.log.info({ level, configured: c.livenessLevel, floor: f.liveness.floor }, 'liveness level');
        f.liveness.setLevel(level);
      }
    }
    if (f.recognizer) f.recognizer.config.cooldownMs = c.cooldownSeconds * 1000;
    f.tune?.(c);
    if (this.cfg.siteId && c.siteId !== this.cfg.siteId) {
      this.log.warn(
        { configured: this.cfg.siteId, backend: c.siteId },
        'the backend places this terminal in another site than --site: gallery announcements are watched on --site',
      );
    }
  }

  private publishStatus(): void {
    const s = this.status();
    this.publishedGalleryVersion = s.galleryVersion;
    this.link.publishStatus(s);
  }

  /** Commits a recognition to the outbox; only after this returns may the screen say "recorded". */
  punch(rec: Recognition): StoredPunch {
    const stored = this.outbox.add({
      id: uuidv7(),
      employeeId: rec.employeeId,
      method: rec.method,
      capturedAt: this.clock.now().toISOString(),
      clock: this.clock.state(),
      ...(rec.score !== undefined ? { score: rec.score } : {}),
      ...(rec.distance !== undefined ? { distance: rec.distance } : {}),
      ...(rec.liveness !== undefined ? { liveness: rec.liveness } : {}),
    });
    if (this.cfg.fault === 'crash-after-outbox-write') {
      this.log.warn({ id: stored.id, seq: stored.seq }, 'fault injection: SIGKILL after outbox write');
      process.kill(process.pid, 'SIGKILL');
    }
    this.sender.notify();
    return stored;
  }

  async run(source: PunchSource): Promise<number> {
    let n = 0;
    for await (const rec of source.recognitions()) {
      const stored = this.punch(rec);
      n++;
      // Only now, with the punch committed, may the screen say so.
      this.screen?.show({
        kind: 'welcome',
        name: rec.name ?? rec.employeeId,
        employeeId: rec.employeeId,
        at: new Date(stored.capturedAt),
        timeZone: this.config?.timeZone,
        status: this.punches.statusFor(
          this.config?.workHours,
          rec.employeeId,
          Date.parse(stored.capturedAt),
          this.config?.timeZone,
        ),
      });
      this.log[this.face ? 'info' : 'debug'](
        {
          id: stored.id,
          seq: stored.seq,
          employeeId: rec.employeeId,
          distance: rec.distance,
          liveness: rec.liveness,
        },
        'punch recorded',
      );
    }
    return n;
  }

  /** Resolves once every punch in the outbox is acknowledged. */
  drained(): Promise<void> {
    if (this.outbox.depth() === 0) return Promise.resolve();
    return new Promise((r) => this.drainedWaiters.push(r));
  }

  status(): StatusPayload {
    const oldest = this.outbox.oldestPendingAt();
    return {
      v: PROTOCOL_VERSION,
      state: 'online',
      ts: this.clock.now().toISOString(),
      outboxDepth: this.outbox.depth(),
      ...(this.outbox.quarantined() > 0 ? { quarantined: this.outbox.quarantined() } : {}),
      ...(oldest ? { oldestPendingAt: oldest.toISOString() } : {}),
      clock: this.clock.state(),
      ...(this.face
        ? {
            modelVersion: this.face.modelVersion.slice(0, 128),
            ...(this.face.gallery ? { galleryVersion: this.face.gallery.version } : {}),
          }
        : {}),
    };
  }

  async stop(): Promise<void> {
    this.face?.gallery?.stop();
    clearInterval(this.statusTimer);
    clearInterval(this.pruneTimer);
    this.sender.stop();
    if (this.link.connected) this.link.publishStatus({ ...this.status(), state: 'offline' });
    await this.link.stop();
    this.outbox.close();
  }
}
