import { pino } from 'pino';
import { prettyLine } from './log-pretty.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `auto`: human-readable lines on a terminal, one JSON object per line when piped (log collectors, tests). */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export type LogSettings = Readonly<{ level: LogLevel; format: LogFormat }>;

export const DEFAULT_LOG_SETTINGS: LogSettings = Object.freeze({ level: 'info', format: 'auto' });

export type Logger = pino.Logger;

/** Where log lines go: process.stdout, or anything with `write` (tests). */
export type LogOutput = { write(line: string): unknown; isTTY?: boolean };

/** Whether `settings` print pretty lines on `out`. */
export function isPretty(settings: LogSettings, out: LogOutput = process.stdout): boolean {
  return settings.format === 'pretty' || (settings.format === 'auto' && out.isTTY === true);
}

/** A root logger with these settings; it reads no environment (the process's config module does). */
export function createRootLogger(settings: LogSettings, out: LogOutput = process.stdout): Logger {
  const opts = {
    level: settings.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (isPretty(settings, out)) return pino(opts, { write: (line: string) => out.write(prettyLine(line)) });
  // pino's own stdout stream: asynchronous (a slow reader never stalls the process), flushed on exit,
  // so the line before process.exit (a fatal start error, "stopped cleanly") is not lost.
  if (out === process.stdout) return pino(opts);
  return pino(opts, { write: (line: string) => out.write(line) });
}

let root = createRootLogger(DEFAULT_LOG_SETTINGS);

/**
 * Sets the process's logging from its config. Call it first thing in a process's main, before any
 * `logger(ns)`: loggers made earlier keep the defaults (info; pretty on a terminal, else JSON).
 */
export function configureLogging(settings: LogSettings, out: LogOutput = process.stdout): Logger {
  root = createRootLogger(settings, out);
  return root;
}

/** A namespaced child of the process's root logger (`logger('broker')`). */
export function logger(ns: string): Logger {
  return root.child({ ns });
}
