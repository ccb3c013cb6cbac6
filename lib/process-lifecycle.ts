/**
 * How a process of this project ends, in words a person reads: a start failure as one fatal line
 * saying what went wrong and what to change (no stack for the usual causes), and a stop on
 * SIGINT/SIGTERM as one "stopped cleanly" line and exit code 0, or a line saying why not.
 */
import type { Logger } from './logger.ts';

/** How long a clean stop may take before the process gives up on it. */
export const STOP_TIMEOUT_MS = 10_000;
/** Signals this soon after the first are copies of it (relayed by npm, tsx), not a second request. */
const REPEAT_GRACE_MS = 2_000;

type SysError = Error & { code?: string; port?: number; address?: string; syscall?: string };

/**
 * The fatal line's fields and message for an error at start. `ports` names the setting behind
 * each port (e.g. `{ PORT: 8080, MQTT_PORT: 1883 }`) so a port in use says what to change.
 */
export function startFailure(
  err: unknown,
  ports: Readonly<Record<string, number>> = {},
): { msg: string; fields: Record<string, unknown> } {
  const e = err as SysError;
  if (e?.syscall === 'listen' && (e.code === 'EADDRINUSE' || e.code === 'EACCES')) {
    const names = Object.entries(ports)
      .filter(([, p]) => p === e.port)
      .map(([n]) => n);
    const setting = names.length > 0 ? names.join(' or ') : 'the port setting';
    const what = e.code === 'EADDRINUSE' ? 'is in use' : 'may not be opened by this user';
    return {
      msg: `could not start: port ${e.port} on ${e.address} ${what}`,
      fields: {
        hint:
          e.code === 'EADDRINUSE'
            ? `stop the program that listens on it, or set ${setting} to another port`
            : `set ${setting} to a port above 1023`,
      },
    };
  }
  return { msg: `could not start: ${e?.message ?? String(err)}`, fields: { err } };
}

export type Shutdown = (reason: string, code?: number) => Promise<void>;

/**
 * A shutdown that runs `stop` once, logs one line and exits: `code` (default 0) after a clean
 * stop, 1 when stop throws or takes longer than `timeoutMs`. SIGINT and SIGTERM call it; another
 * signal more than REPEAT_GRACE_MS later exits at once.
 */
export function handleShutdown(
  log: Logger,
  stop: () => Promise<void>,
  opts: { timeoutMs?: number } = {},
): Shutdown {
  const timeoutMs = opts.timeoutMs ?? STOP_TIMEOUT_MS;
  let stopping = false;
  const shutdown: Shutdown = async (reason, code = 0) => {
    if (stopping) return;
    stopping = true;
    const t0 = Date.now();
    const timer = setTimeout(() => {
      log.error({ reason, timeoutMs }, 'could not stop cleanly in time; exiting anyway');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    try {
      await stop();
      log.info({ reason, ms: Date.now() - t0 }, 'stopped cleanly');
      process.exit(code);
    } catch (err) {
      log.error({ reason, err }, 'stopped with an error');
      process.exit(1);
    }
  };
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // Ctrl-C under `npm start` reaches us more than once (the terminal signals the whole process
      // group, npm and tsx relay it too): only a signal well after the first one means "now".
      if (Date.now() - firstSignalAt < REPEAT_GRACE_MS) return;
      log.warn({ signal }, 'signalled again: exiting without a clean stop');
      process.exit(1);
    }
    firstSignalAt = Date.now();
    void shutdown(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return shutdown;
}
