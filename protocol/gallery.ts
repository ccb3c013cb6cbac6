import { z } from 'zod';
import { PROTOCOL_VERSION } from './topics.ts';

/**
 * Gallery sync. The backend publishes the latest version of a site's gallery
 * retained on `att/v1/site/{site}/gallery`; a kiosk whose local version is
 * older pulls the delta over HTTPS with its terminal credentials:
 *
 *   GET /api/kiosk/gallery?since=<version>   (HTTP Basic: terminal id : terminal secret)
 *
 * The answer is a `GalleryDelta`. When `since` is older than what the backend
 * can diff from (or 0), `full` is true and `upserts` is the whole gallery: the
 * kiosk replaces its copy. Deleting an employee or a template shows up in
 * `deletes`, so it is removed from every kiosk at its next sync.
 */
export const GalleryAnnouncement = z
  .object({
    v: z.literal(PROTOCOL_VERSION),
    siteId: z.string(),
    version: z.number().int().min(0),
    modelId: z
      .string()
      .describe('descriptor model of this site; templates of another model are never compared'),
  })
  .strict();
export type GalleryAnnouncement = z.infer<typeof GalleryAnnouncement>;

export const GalleryTemplate = z
  .object({
    templateId: z.string(),
    employeeId: z.string().describe('NIP'),
    name: z.string(),
    modelId: z.string(),
    descriptor: z.string().describe('base64 of little-endian float32, L2-normalised'),
  })
  .strict();
export type GalleryTemplate = z.infer<typeof GalleryTemplate>;

export const GalleryDelta = z
  .object({
    siteId: z.string(),
    version: z.number().int().min(0),
    modelId: z.string(),
    full: z.boolean(),
    upserts: z.array(GalleryTemplate),
    deletes: z.array(z.string()).describe('template ids'),
  })
  .strict();
export type GalleryDelta = z.infer<typeof GalleryDelta>;

export function encodeDescriptor(v: Float32Array): string {
  const le = new Float32Array(v); // copy: the buffer may be a view into a larger one
  return Buffer.from(le.buffer, le.byteOffset, le.byteLength).toString('base64');
}

export function decodeDescriptor(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  const out = new Float32Array(b.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = b.readFloatLE(i * 4);
  return out;
}
