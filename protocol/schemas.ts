import { z } from 'zod';
import { PROTOCOL_VERSION } from './topics.ts';

/** Largest event payload the backend accepts; a punch is ~400 bytes. */
export const MAX_EVENT_BYTES = 4096;

const isoWithOffset = z.iso
  .datetime({ offset: true })
  .describe('ISO 8601 instant with offset, e.g. 2026-11-30T07:29:12.345+07:00');
const version = z.literal(PROTOCOL_VERSION).describe('protocol version');

/**
 * Largest integer the database's INTEGER columns hold (PostgreSQL int4). A value beyond it in a punch
 * failed the insert of its whole batch, which the kiosks then resent for ever (#12, found by
 * test/e2e/ingest-fuzz.test.ts): such a punch is refused (SCHEMA) instead.
 */
export const INT32_MAX = 2_147_483_647;

/** Instants a kiosk's clock can show, even wrong (a Raspberry Pi without RTC boots in 1970). */
const KIOSK_INSTANT_MIN = Date.parse('1970-01-01T00:00:00Z');
const KIOSK_INSTANT_END = Date.parse('2100-01-01T00:00:00Z');
const kioskInstant = isoWithOffset.refine(
  (s) => {
    const t = Date.parse(s);
    return t >= KIOSK_INSTANT_MIN && t < KIOSK_INSTANT_END;
  },
  { message: 'outside 1970-01-01 to 2099-12-31' },
);

export const PunchMethod = z.enum(['face', 'card', 'pin']);
export type PunchMethod = z.infer<typeof PunchMethod>;

export const ClockState = z
  .object({
    synced: z.boolean().describe('kiosk clock disciplined by NTP/server time'),
    offsetMs: z
      .number()
      .int()
      .min(-INT32_MAX)
      .max(INT32_MAX)
      .optional()
      .describe('estimated kiosk clock minus server clock'),
    source: z.string().max(32).optional(),
  })
  .strict();
export type ClockState = z.infer<typeof ClockState>;

export const Liveness = z
  .object({
    checked: z.boolean(),
    passed: z.boolean().optional(),
    method: z.string().max(32).optional(),
  })
  .strict();

export const EventPayload = z
  .object({
    v: version,
    id: z.uuid().describe('made on the kiosk (UUIDv7); the idempotency key'),
    seq: z.number().int().positive().max(INT32_MAX).describe('per-terminal, increasing'),
    employeeId: z
      .string()
      .regex(/^[0-9A-Za-z.-]{1,32}$/)
      .describe('NIP'),
    method: PunchMethod,
    capturedAt: kioskInstant.describe('kiosk clock at capture'),
    sentAt: kioskInstant.describe('kiosk clock at this (re)send; with receivedAt it measures clock skew'),
    clock: ClockState,
    score: z.number().min(0).max(1).optional(),
    distance: z.number().min(0).max(10).optional(),
    liveness: Liveness.optional(),
  })
  .strict();
export type EventPayload = z.infer<typeof EventPayload>;

export const RejectCode = z.enum([
  'BAD_JSON',
  'SCHEMA',
  'TOO_LARGE',
  'VERSION',
  'TOPIC',
  'ACL',
  'UNKNOWN_TERMINAL',
]);
export type RejectCode = z.infer<typeof RejectCode>;

export const AckPayload = z
  .object({
    v: version,
    ids: z.array(z.string()).describe('event ids now committed (duplicates included)'),
    rejected: z
      .array(z.object({ id: z.string().optional(), code: RejectCode, reason: z.string() }))
      .optional()
      .describe('messages refused, with the reason'),
    serverTime: isoWithOffset,
  })
  .strict();
export type AckPayload = z.infer<typeof AckPayload>;

export const StatusPayload = z
  .object({
    v: version,
    state: z.enum(['online', 'offline']),
    ts: isoWithOffset.optional(),
    outboxDepth: z.number().int().min(0).optional(),
    oldestPendingAt: isoWithOffset.optional(),
    quarantined: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'punches set aside: unreadable, or refused by the backend for their content (kept on the kiosk)',
      ),
    galleryVersion: z.number().int().min(0).optional(),
    modelVersion: z.string().max(128).optional(),
    clock: ClockState.optional(),
    temperatureC: z.number().optional(),
    appVersion: z.string().max(32).optional(),
  })
  .strict();
export type StatusPayload = z.infer<typeof StatusPayload>;

/** One work day of a schedule at the kiosk's site: the shift's start and end as instants. */
export const WorkPeriod = z
  .object({
    date: z.iso.date().describe('work date in the site’s zone'),
    start: isoWithOffset,
    end: isoWithOffset,
    midpoint: isoWithOffset.describe('a lone punch before it is an arrival, at or after it a departure'),
    windowStart: isoWithOffset
      .optional()
      .describe('the day’s punch window opens (inclusive); a punch in no window is "di luar jam absen"'),
    windowEnd: isoWithOffset.optional().describe('the day’s punch window closes (inclusive)'),
  })
  .strict();
export type WorkPeriod = z.infer<typeof WorkPeriod>;

/**
 * The coming days' work hours of the site's employees, so the kiosk can say "Tepat waktu" or
 * "Terlambat 12 menit" at once, offline too. The backend's day records stay authoritative.
 */
export const KioskWorkHours = z
  .object({
    from: z.iso.date(),
    to: z.iso.date().describe('last date covered; beyond it the kiosk shows no lateness'),
    /** Distinct sequences of work days (days not listed are off). */
    schedules: z.record(z.string().max(16), z.array(WorkPeriod).max(62)),
    /** The schedule most employees of the site follow. */
    default: z.string().max(16),
    /** Employees whose days differ from the default. */
    employees: z.record(z.string().max(32), z.string().max(16)),
    duplicateMinutes: z
      .number()
      .int()
      .min(0)
      .max(60)
      .optional()
      .describe('a punch this many minutes after the day’s first one repeats it (not counted again)'),
  })
  .strict();
export type KioskWorkHours = z.infer<typeof KioskWorkHours>;

/**
 * Face settings a site may tune for its kiosks (PATCH /api/sites/{id} `kioskSettings`; sent in the
 * retained config). Every field is optional: what is not set keeps the kiosk's own default, and
 * removing a setting restores it. Meanings and defaults: docs/FACE-ENGINE.md ("Tuning").
 */
export const KioskMatchSettings = z
  .object({
    threshold: z.number().positive().max(4).describe('accept only below this descriptor distance'),
    margin: z.number().min(0).max(4).describe('required gap to the second-best identity'),
    frames: z.number().int().min(1).max(30).describe('consecutive agreeing frames for a recognition'),
    windowMs: z.number().int().min(100).max(30_000).describe('...within this many ms'),
    model: z
      .string()
      .max(40)
      .describe(
        'descriptor model (mfn512, mfn192, faceapi) the threshold and margin are for; a kiosk on another model ignores them',
      ),
  })
  .partial()
  .strict();
export type KioskMatchSettings = z.infer<typeof KioskMatchSettings>;

export const KioskQualitySettings = z
  .object({
    minScore: z.number().min(0).max(1),
    minFacePx: z.number().int().min(16).max(2000).describe('"Mendekat ke kamera" below this face width (px)'),
    maxFaceFraction: z.number().gt(0).max(1),
    secondFaceRatio: z.number().gt(0).max(1),
    maxOutside: z.number().min(0).max(1),
    maxYaw: z.number().gt(0).max(2),
    pitchRange: z.tuple([z.number().min(-1).max(2), z.number().min(-1).max(2)]),
    maxRollDeg: z.number().gt(0).max(90),
    minBrightness: z.number().min(0).max(255),
    maxBrightness: z.number().min(0).max(255),
    minSharpness: z.number().min(0).max(10_000),
  })
  .partial()
  .strict();
export type KioskQualitySettings = z.infer<typeof KioskQualitySettings>;

export const KioskTrackingSettings = z
  .object({
    enabled: z.boolean(),
    maxAgeMs: z.number().int().min(0).max(10_000),
    maxDriftPx: z.number().gt(0).max(50),
    detectEvery: z.number().int().min(1).max(30),
    minIou: z.number().min(0).max(1),
    priorMaxAgeMs: z.number().int().min(0).max(600_000),
    priorRegion: z.number().min(1).max(10),
    shiftMaxResidual: z.number().min(0).max(1),
  })
  .partial()
  .strict();
export type KioskTrackingSettings = z.infer<typeof KioskTrackingSettings>;

/** A site's kiosk tuning as the backend stores and sends it. */
export const KioskSettings = z
  .object({
    cooldownSeconds: z
      .number()
      .int()
      .min(0)
      .max(86_400)
      .describe('one person is not punched again within this'),
    match: KioskMatchSettings,
    quality: KioskQualitySettings,
    tracking: KioskTrackingSettings,
  })
  .partial()
  .strict();
export type KioskSettings = z.infer<typeof KioskSettings>;

/** Largest config payload the kiosk accepts (work hours of a large site with many rosters). */
export const MAX_CONFIG_BYTES = 512 * 1024;

export const ConfigPayload = z
  .object({
    v: version,
    serverTime: isoWithOffset,
    timeZone: z.string(),
    siteId: z.string(),
    cooldownSeconds: z.number().int().min(0).default(60),
    // Not strict inside either: a newer backend's extra settings are dropped, the known ones kept.
    match: KioskMatchSettings.strip().optional(),
    quality: KioskQualitySettings.strip().optional(),
    tracking: KioskTrackingSettings.strip().optional(),
    livenessLevel: z.enum(['off', 'active', 'strict']).default('off'),
    workHours: KioskWorkHours.optional(),
  })
  // Not strict, unlike what kiosks send: a backend upgraded before its kiosks may add settings, and
  // a kiosk must keep taking the ones it knows (time zone, liveness level, server time) meanwhile.
  .strip();
export type ConfigPayload = z.infer<typeof ConfigPayload>;

/** The LWT a kiosk registers: the broker publishes it retained when the kiosk drops. */
export const OFFLINE_STATUS: StatusPayload = { v: PROTOCOL_VERSION, state: 'offline' };
