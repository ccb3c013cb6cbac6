/**
 * The photos of a ZIP for `enroll:bulk`, read with bounded memory (issue #12, finding 6: a 1 MB zip
 * holding a 1 GiB entry took the whole batch down at 2.5 GB). The archive is never loaded whole:
 * its central directory is read from the end of the file, each photo entry's declared size is
 * checked against the limits before a byte of it is inflated, and the entry is then inflated in
 * small steps and cut off as soon as it outgrows its declared size or the per-photo limit. A
 * refused entry is reported with its reason and the others go on.
 *
 * Not supported (refused with a reason, the batch goes on): ZIP64 entries, encryption, compression
 * other than stored and deflate. Entries that are not photos are skipped without being read.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { Inflate } from 'fflate';

export type ZipLimits = {
  /** Central directory entries looked at; the rest are refused. */
  maxEntries: number;
  /** Longest entry path (bytes of its name). */
  maxPathLength: number;
  /** Largest photo, inflated. */
  maxPhotoBytes: number;
  /** All photos kept, inflated: what the batch may hold in memory. */
  maxTotalBytes: number;
};

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 10_000,
  maxPathLength: 255,
  // 2.25 MB: base64 of it is the 3,000,000 characters a photo of POST /api/employees/:nip/faces may have.
  maxPhotoBytes: 2_250_000,
  maxTotalBytes: 256 * 1024 * 1024,
};

export type ZipPhoto = { path: string; data: Buffer };
export type ZipRefusal = { path: string; reason: string };

type Entry = {
  path: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localOffset: number;
};

const PHOTO = /\.(jpe?g|png)$/i;
const EOCD_SIG = 0x06054b50;
const CD_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const ZIP64 = 0xffffffff;
/** Compressed bytes pushed per step: deflate's best ratio (~1032:1) keeps one step's output near 16 MB. */
const STEP = 16 * 1024;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** The end-of-central-directory record: where the directory is and how many entries it lists. */
async function endRecord(
  fh: FileHandle,
  fileSize: number,
): Promise<{ count: number; offset: number; size: number }> {
  const tailLen = Math.min(fileSize, 22 + 65_535);
  const tail = await readAt(fh, fileSize - tailLen, tailLen);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== EOCD_SIG) continue;
    return {
      count: tail.readUInt16LE(i + 10),
      size: tail.readUInt32LE(i + 12),
      offset: tail.readUInt32LE(i + 16),
    };
  }
  throw new Error('not a ZIP file (no end of central directory)');
}

/** The central directory's entries (at most `maxEntries`; `more`: how many were left out). */
async function directory(fh: FileHandle, fileSize: number, maxEntries: number) {
  const end = await endRecord(fh, fileSize);
  if (end.offset === ZIP64 || end.offset + end.size > fileSize) throw new Error('unsupported or damaged ZIP');
  const cd = await readAt(fh, end.offset, end.size);
  const entries: Entry[] = [];
  let p = 0;
  let seen = 0;
  while (p + 46 <= cd.length && cd.readUInt32LE(p) === CD_SIG) {
    const nameLen = cd.readUInt16LE(p + 28);
    const next = p + 46 + nameLen + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    seen++;
    if (entries.length < maxEntries) {
      entries.push({
        path: cd.toString('utf8', p + 46, p + 46 + nameLen),
        flags: cd.readUInt16LE(p + 8),
        method: cd.readUInt16LE(p + 10),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localOffset: cd.readUInt32LE(p + 42),
      });
    }
    p = next;
  }
  return { entries, more: Math.max(seen, end.count) - entries.length };
}

/** Why an entry is not even opened; undefined when its declared sizes fit. */
function declaredRefusal(e: Entry, limits: ZipLimits, keptBytes: number): string | undefined {
  if (Buffer.byteLength(e.path) > limits.maxPathLength)
    return `path longer than ${limits.maxPathLength} bytes`;
  if (e.size === ZIP64 || e.compressedSize === ZIP64 || e.localOffset === ZIP64)
    return 'ZIP64 entries are not supported';
  if (e.flags & 1) return 'encrypted entries are not supported';
  if (e.method !== 0 && e.method !== 8) return `compression method ${e.method} is not supported`;
  if (e.size > limits.maxPhotoBytes)
    return `declared size ${e.size} bytes is over the per-photo limit of ${limits.maxPhotoBytes}`;
  if (keptBytes + e.size > limits.maxTotalBytes)
    return `the batch would exceed its total limit of ${limits.maxTotalBytes} bytes`;
  return undefined;
}

/** Inflates one entry step by step; stops (and refuses) once it outgrows its declared size or the limit. */
async function inflateEntry(
  fh: FileHandle,
  e: Entry,
  fileSize: number,
  limit: number,
): Promise<Buffer | string> {
  const local = await readAt(fh, e.localOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_SIG) return 'damaged entry (no local header)';
  const start = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (start + e.compressedSize > fileSize) return 'damaged entry (data past the end of the file)';
  const cap = Math.min(e.size, limit);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  const sink = (chunk: Uint8Array) => {
    total += chunk.length;
    if (total > cap) over = true;
    else chunks.push(chunk);
  };
  const inflater = e.method === 8 ? new Inflate(sink) : undefined;
  for (let off = 0; off < e.compressedSize && !over; off += STEP) {
    const len = Math.min(STEP, e.compressedSize - off);
    const piece = await readAt(fh, start + off, len);
    const final = off + len >= e.compressedSize;
    try {
      if (inflater) inflater.push(piece, final);
      else sink(new Uint8Array(piece));
    } catch {
      return 'damaged entry (does not inflate)';
    }
  }
  if (over) {
    return total > e.size
      ? `inflates beyond its declared size of ${e.size} bytes`
      : `inflates beyond the per-photo limit of ${limit} bytes`;
  }
  return Buffer.concat(chunks);
}

/**
 * The photos of the ZIP at `file` (JPEG/PNG entries), each within the limits; every other photo entry
 * comes back in `refused` with the reason. Throws only when the file is not a ZIP at all.
 */
export async function readZipPhotos(
  file: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<{ files: ZipPhoto[]; refused: ZipRefusal[] }> {
  const fh = await open(file, 'r');
  try {
    const fileSize = (await fh.stat()).size;
    const { entries, more } = await directory(fh, fileSize, limits.maxEntries);
    const files: ZipPhoto[] = [];
    const refused: ZipRefusal[] = [];
    if (more > 0)
      refused.push({
        path: '(archive)',
        reason: `${more} entries past the first ${limits.maxEntries} ignored`,
      });
    let kept = 0;
    for (const e of entries) {
      if (e.path.endsWith('/') || !PHOTO.test(e.path)) continue;
      const why = declaredRefusal(e, limits, kept);
      if (why) {
        refused.push({ path: e.path.slice(0, limits.maxPathLength), reason: why });
        continue;
      }
      const data = await inflateEntry(fh, e, fileSize, limits.maxPhotoBytes);
      if (typeof data === 'string') {
        refused.push({ path: e.path, reason: data });
        continue;
      }
      kept += data.length;
      files.push({ path: e.path, data });
    }
    return { files, refused };
  } finally {
    await fh.close();
  }
}
