/**
 * `npm run enroll:bulk -- (--dir DIR | --zip FILE) [--url http://127.0.0.1:8080] [--user admin]`,
 * the password in ADMIN_PASSWORD (options: bulk-import.config.ts).
 *
 * Enrolls many employees at once through the REST API (so roles and scoping
 * apply). Photos are named by NIP: `<NIP>.jpg`, `<NIP>_<n>.jpg` or
 * `<NIP>/<n>.jpg` (JPEG or PNG), up to 5 per employee. A progress bar goes to
 * stderr; one line per refused employee or ZIP entry, with the reasons, and a summary (with the
 * process's peak memory). A ZIP is read entry by entry within limits (zip-photos.ts): an entry that
 * is too large, or inflates past its declared size, is refused and the others go on.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { ConfigError } from '../../lib/env-config.ts';
import { type BulkImportConfig, loadBulkImportConfig } from './bulk-import.config.ts';
import { readZipPhotos, type ZipRefusal } from './zip-photos.ts';

const PHOTO = /\.(jpe?g|png)$/i;
const NIP_RE = /^(\d{18})(?:[_-]\d+)?$/;

export type Batch = Map<string, Buffer[]>;

/** Groups photo files by the NIP in their name or folder. */
export function groupByNip(files: Array<{ path: string; data: Buffer }>): {
  batch: Batch;
  skipped: string[];
} {
  const batch: Batch = new Map();
  const skipped: string[] = [];
  for (const f of files) {
    if (!PHOTO.test(f.path)) continue;
    const parts = f.path.split('/');
    const stem = basename(f.path, extname(f.path));
    const nip = NIP_RE.exec(stem)?.[1] ?? NIP_RE.exec(parts.at(-2) ?? '')?.[1];
    if (!nip) {
      skipped.push(f.path);
      continue;
    }
    const list = batch.get(nip) ?? [];
    if (list.length < 5) list.push(f.data);
    batch.set(nip, list);
  }
  return { batch, skipped };
}

async function walk(dir: string, prefix = ''): Promise<Array<{ path: string; data: Buffer }>> {
  const out: Array<{ path: string; data: Buffer }> = [];
  for (const name of (await readdir(dir)).sort()) {
    const full = join(dir, name);
    if ((await stat(full)).isDirectory()) out.push(...(await walk(full, `${prefix}${name}/`)));
    else if (PHOTO.test(name)) out.push({ path: `${prefix}${name}`, data: await readFile(full) });
  }
  return out;
}

function bar(done: number, total: number): string {
  const w = 30;
  const n = total === 0 ? w : Math.round((done / total) * w);
  return `[${'#'.repeat(n)}${'.'.repeat(w - n)}] ${done}/${total}`;
}

async function main(a: BulkImportConfig): Promise<number> {
  let files: Array<{ path: string; data: Buffer }>;
  let refusedEntries: ZipRefusal[] = [];
  if (a.zip) ({ files, refused: refusedEntries } = await readZipPhotos(a.zip, a.limits));
  else files = await walk(a.dir as string);
  for (const r of refusedEntries) process.stderr.write(`refused entry ${r.path}: ${r.reason}\n`);
  const { batch, skipped } = groupByNip(files);
  files = [];
  for (const s of skipped) process.stderr.write(`skipped (no NIP in the name): ${s}\n`);
  const login = await fetch(`${a.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: a.user, password: a.password }),
  });
  if (!login.ok) throw new Error(`login failed: ${login.status}`);
  const { token } = (await login.json()) as { token: string };
  let done = 0;
  let ok = 0;
  const failures: string[] = [];
  const tty = process.stderr.isTTY;
  for (const [nip, photos] of batch) {
    const r = await fetch(`${a.url}/api/employees/${nip}/faces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ photos: photos.map((p) => p.toString('base64')) }),
    });
    done++;
    if (r.ok) ok++;
    else
      failures.push(
        `${nip}: ${((await r.json()) as { error?: { message?: string } }).error?.message ?? r.status}`,
      );
    process.stderr.write(tty ? `\r${bar(done, batch.size)}` : `${bar(done, batch.size)}\n`);
  }
  if (tty) process.stderr.write('\n');
  for (const f of failures) process.stderr.write(`refused ${f}\n`);
  process.stdout.write(
    `${JSON.stringify({
      employees: batch.size,
      enrolled: ok,
      refused: failures.length,
      skippedFiles: skipped.length,
      refusedEntries: refusedEntries.length,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    })}\n`,
  );
  return failures.length === 0 && refusedEntries.length === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let cfg: BulkImportConfig;
  try {
    cfg = loadBulkImportConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`enroll:bulk: ${err.message}\n`);
    process.exit(2);
  }
  main(cfg).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`enroll:bulk: ${(err as Error).message}\n`);
      process.exit(2);
    },
  );
}
