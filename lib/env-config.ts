/**
 * What every process's config module shares: a zod schema applied once to the environment (and
 * flags), every problem listed at once, the result frozen. Only the config modules read
 * `process.env` (test/unit/config-env.test.ts keeps it so); the rest of the code gets the frozen
 * object passed down.
 */
import { z } from 'zod';
import { DEFAULT_LOG_SETTINGS, LOG_FORMATS, LOG_LEVELS, type LogSettings } from './logger.ts';

/** LOG_LEVEL and LOG_FORMAT, in every process's schema. */
export const LogEnv = {
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** auto: readable lines on a terminal, JSON when piped; json or pretty force one. */
  LOG_FORMAT: z.enum(LOG_FORMATS).default('auto'),
};

/** The configuration is wrong: every problem, one per line, and the log settings to report it with. */
export class ConfigError extends Error {
  constructor(
    readonly problems: readonly string[],
    /** LOG_LEVEL/LOG_FORMAT as given when they were valid themselves, else the defaults. */
    readonly log: LogSettings,
  ) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `NAME=` counts as not set (as a shell user means it), so defaults apply. */
export function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') out[k] = v;
  return out;
}

/** The log settings in `env`, each one that is valid; the defaults for the rest. */
export function logSettingsOf(env: Record<string, unknown>): LogSettings {
  const level = LogEnv.LOG_LEVEL.safeParse(env.LOG_LEVEL);
  const format = LogEnv.LOG_FORMAT.safeParse(env.LOG_FORMAT);
  return Object.freeze({
    level: level.success ? level.data : DEFAULT_LOG_SETTINGS.level,
    format: format.success ? format.data : DEFAULT_LOG_SETTINGS.format,
  });
}

/** One line per zod issue: `NAME: message`. `label` names a path (e.g. a flag for a field). */
export function problemsOf(error: z.ZodError, label: (path: string) => string = (p) => p): string[] {
  return error.issues.map((i) => `${label(i.path.join('.')) || '(config)'}: ${i.message}`);
}

/** Parses `input` with `schema`; throws a ConfigError listing every problem. The result is frozen. */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  input: Record<string, unknown>,
  label?: (path: string) => string,
): Readonly<z.output<S>> {
  const r = schema.safeParse(input);
  if (!r.success) throw new ConfigError(problemsOf(r.error, label), logSettingsOf(input));
  return Object.freeze(r.data) as Readonly<z.output<S>>;
}
