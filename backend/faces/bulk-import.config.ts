/**
 * `npm run enroll:bulk` options, read once: flags over the environment, one zod schema, every
 * problem at once.
 *
 *   --dir DIR | --zip FILE   the photos, named <NIP>.jpg, <NIP>_<n>.jpg or <NIP>/<n>.jpg
 *   --url URL                the backend (env API_URL; default http://127.0.0.1:8080)
 *   --user NAME              an admin (env ADMIN_USERNAME; default admin)
 *   --password …             its password (better: env ADMIN_PASSWORD, kept out of the shell history)
 *
 * Limits on a ZIP (environment; zip-photos.ts): ENROLL_MAX_ENTRIES (10000), ENROLL_MAX_PATH (255
 * bytes), ENROLL_MAX_PHOTO_BYTES (2250000, inflated), ENROLL_MAX_TOTAL_BYTES (268435456, inflated).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, logSettingsOf, problemsOf, withoutEmpty } from '../../lib/env-config.ts';
import { DEFAULT_ZIP_LIMITS } from './zip-photos.ts';

const Limit = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const Schema = z.object({
  dir: z.string().min(1).optional(),
  zip: z.string().min(1).optional(),
  url: z
    .url({ protocol: /^https?$/ })
    .default('http://127.0.0.1:8080')
    .transform((u) => u.replace(/\/+$/, '')),
  user: z.string().min(1).default('admin'),
  password: z.string({ error: 'required: --password or ADMIN_PASSWORD' }).min(1),
  limits: z.object({
    maxEntries: Limit(DEFAULT_ZIP_LIMITS.maxEntries),
    maxPathLength: Limit(DEFAULT_ZIP_LIMITS.maxPathLength),
    maxPhotoBytes: Limit(DEFAULT_ZIP_LIMITS.maxPhotoBytes),
    maxTotalBytes: Limit(DEFAULT_ZIP_LIMITS.maxTotalBytes),
  }),
});

export type BulkImportConfig = Readonly<z.output<typeof Schema>>;

const LABELS: Record<string, string> = {
  url: '--url (or API_URL)',
  user: '--user (or ADMIN_USERNAME)',
  password: '--password (or ADMIN_PASSWORD)',
  'limits.maxEntries': 'ENROLL_MAX_ENTRIES',
  'limits.maxPathLength': 'ENROLL_MAX_PATH',
  'limits.maxPhotoBytes': 'ENROLL_MAX_PHOTO_BYTES',
  'limits.maxTotalBytes': 'ENROLL_MAX_TOTAL_BYTES',
};

export function loadBulkImportConfig(
  argv: readonly string[] = process.argv.slice(2),
  environment: Readonly<Record<string, string | undefined>> = process.env,
): BulkImportConfig {
  const env = withoutEmpty(environment);
  let values: Record<string, string | boolean | undefined> = {};
  const problems: string[] = [];
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        dir: { type: 'string' },
        zip: { type: 'string' },
        url: { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
      },
    }).values;
  } catch (e) {
    problems.push((e as Error).message.split('\n')[0] ?? String(e));
  }
  const r = Schema.safeParse({
    dir: values.dir,
    zip: values.zip,
    url: values.url ?? env.API_URL,
    user: values.user ?? env.ADMIN_USERNAME,
    password: values.password ?? env.ADMIN_PASSWORD,
    limits: {
      maxEntries: env.ENROLL_MAX_ENTRIES,
      maxPathLength: env.ENROLL_MAX_PATH,
      maxPhotoBytes: env.ENROLL_MAX_PHOTO_BYTES,
      maxTotalBytes: env.ENROLL_MAX_TOTAL_BYTES,
    },
  });
  if (!values.dir === !values.zip) problems.push('--dir: give exactly one of --dir DIR or --zip FILE');
  if (!r.success) problems.push(...problemsOf(r.error, (p) => LABELS[p] ?? `--${p}`));
  if (problems.length > 0 || !r.success) throw new ConfigError(problems, logSettingsOf(env));
  return Object.freeze(r.data);
}
