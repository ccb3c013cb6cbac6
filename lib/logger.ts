import { pino } from 'pino';

/** Root logger; modules take a namespaced child (`log.child({ ns: 'broker' })`). */
export const rootLogger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export type Logger = pino.Logger;

export function logger(ns: string): Logger {
  return rootLogger.child({ ns });
}
