/**
 * What the person in front of the kiosk sees. `KioskScreen` is the seam: the console screen below
 * prints one line per change of message; a real display (framebuffer, browser kiosk, LCD over
 * serial) implements the same interface. Texts are Indonesian first, English second.
 */

import type { FrameError } from '../face/frames/types.ts';
import type { FaceDecision } from '../face/liveness.ts';
import type { QualityIssue } from '../face/quality.ts';
import type { PunchStatus } from './punch-status.ts';

export type ScreenMessage =
  /** Nobody in view. */
  | { kind: 'ready' }
  /** A punch is committed to the outbox. */
  | {
      kind: 'welcome';
      name: string;
      employeeId: string;
      at: Date;
      timeZone?: string | undefined;
      /** On time / late / leaving early / not counted, from the config's work hours. */
      status?: PunchStatus | undefined;
    }
  /** Adjust position / light (quality gate). */
  | { kind: 'hint'; code: string; text: string }
  | { kind: 'verifying'; name?: string | undefined }
  /** Recognised; waiting for the liveness cue. */
  | { kind: 'liveness'; code: string; text: string; name?: string | undefined }
  | { kind: 'liveness-failed'; text: string }
  | { kind: 'unknown' }
  /** Recognised again within the cooldown: already recorded. */
  | { kind: 'cooldown'; name: string }
  /** The camera or a picture failed. */
  | { kind: 'error'; text: string };

export interface KioskScreen {
  show(m: ScreenMessage): void;
}

export const SCREEN_TEXT = {
  ready: 'Silakan hadap kamera / Please look at the camera',
  verifying: 'Memverifikasi... / Verifying...',
  unknown: 'Wajah tidak dikenali / Face not recognised',
  recorded: 'Tercatat / Recorded',
  already: 'Sudah tercatat / Already recorded',
  cameraError: 'Kamera bermasalah / Camera error',
  badImage: 'Gambar tidak terbaca / Unreadable image',
  onTime: 'Tepat waktu / On time',
  leftOnTime: 'Pulang tepat waktu / Left on time',
  outsideWindow: 'Di luar jam absen / Outside punch hours',
  notWorkDay: 'Bukan hari kerja / Not a work day',
} as const;

/**
 * "Tepat waktu", "Terlambat 12 menit", "Pulang lebih awal 30 menit", or why the punch will not
 * count ("Di luar jam absen", "Sudah tercatat", "Bukan hari kerja"); empty when nothing is known.
 */
export function statusText(s: PunchStatus | undefined): string {
  switch (s?.kind) {
    case undefined:
    case 'none':
      return '';
    case 'arrival':
      return s.lateMinutes === 0
        ? SCREEN_TEXT.onTime
        : `Terlambat ${s.lateMinutes} menit / ${s.lateMinutes} min late`;
    case 'departure':
      return s.earlyMinutes === 0
        ? SCREEN_TEXT.leftOnTime
        : `Pulang lebih awal ${s.earlyMinutes} menit / Left ${s.earlyMinutes} min early`;
    case 'duplicate':
      return SCREEN_TEXT.already;
    case 'outsideWindow':
      return SCREEN_TEXT.outsideWindow;
    case 'notWorkDay':
      return SCREEN_TEXT.notWorkDay;
  }
}

/**
 * The screen message for one frame's decision; undefined when the screen should not change
 * (e.g. a face building up an "unknown" streak, or a recognition: the kiosk shows the welcome only
 * after the punch is in the outbox).
 */
export function screenMessageFor(
  d: FaceDecision,
  issue: QualityIssue | undefined,
  nameOf: (employeeId: string) => string | undefined = () => undefined,
): ScreenMessage | undefined {
  switch (d.kind) {
    case 'idle':
      // Nobody in view says so; an idle decision with a face (an "unknown" streak building) changes nothing.
      return issue?.code === 'NO_FACE' ? { kind: 'hint', code: issue.code, text: issue.message } : undefined;
    case 'hint':
      return { kind: 'hint', code: d.issue.code, text: d.issue.message };
    case 'verifying':
      return { kind: 'verifying', name: nameOf(d.personId) };
    case 'recognized':
      return undefined;
    case 'cooldown':
      return { kind: 'cooldown', name: nameOf(d.personId) ?? d.personId };
    case 'unknown':
      return { kind: 'unknown' };
    case 'liveness':
      return { kind: 'liveness', code: d.prompt.code, text: d.prompt.message, name: nameOf(d.personId) };
    case 'liveness-failed':
      return { kind: 'liveness-failed', text: d.message };
  }
}

export function screenMessageForFrameError(e: FrameError): ScreenMessage {
  const what =
    e.code === 'SOURCE_FAILED' || e.code === 'NO_DECODER' ? SCREEN_TEXT.cameraError : SCREEN_TEXT.badImage;
  return { kind: 'error', text: `${what} (${e.code}${e.path ? ` ${e.path}` : ''})` };
}

/** One line of text for a message. */
export function formatScreenLine(m: ScreenMessage): string {
  switch (m.kind) {
    case 'ready':
      return SCREEN_TEXT.ready;
    case 'welcome': {
      const time = new Intl.DateTimeFormat('id-ID', {
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hour12: false,
        ...(m.timeZone ? { timeZone: m.timeZone, timeZoneName: 'short' } : {}),
      }).format(m.at);
      const status = statusText(m.status);
      return `${m.name} (${m.employeeId}) ${time} - ${SCREEN_TEXT.recorded}${status ? ` - ${status}` : ''}`;
    }
    case 'hint':
      return m.text;
    case 'verifying':
      return m.name ? `${SCREEN_TEXT.verifying} ${m.name}` : SCREEN_TEXT.verifying;
    case 'liveness':
      return m.name ? `${m.name}: ${m.text}` : m.text;
    case 'liveness-failed':
      return m.text;
    case 'unknown':
      return SCREEN_TEXT.unknown;
    case 'cooldown':
      return `${m.name}: ${SCREEN_TEXT.already}`;
    case 'error':
      return m.text;
  }
}

/**
 * Prints a line whenever the message changes (a camera decides 10-30 times a second; the same
 * hint on every frame would flood the console). Every welcome is printed.
 */
export class ConsoleScreen implements KioskScreen {
  private last: string | undefined;

  constructor(
    private readonly write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
    private readonly prefix = '[layar] ',
  ) {}

  show(m: ScreenMessage): void {
    const text = formatScreenLine(m);
    if (text === this.last && m.kind !== 'welcome') return;
    this.last = text;
    this.write(`${this.prefix}${text}`);
  }
}

/** Keeps every message (tests, and a display process that renders them itself). */
export class RecordingScreen implements KioskScreen {
  readonly messages: ScreenMessage[] = [];
  show(m: ScreenMessage): void {
    this.messages.push(m);
  }
}
