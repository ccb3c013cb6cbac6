/**
 * An image's format and dimensions from its header alone, so that a picture too large to decode
 * is refused before any decoder allocates its pixels (#12: a 1.5 MB JPEG declaring 16000×16000
 * took the backend to 13 GB). JPEG, PNG and WebP: what cameras, phones and browsers produce.
 */

export type ImageFormat = 'jpeg' | 'png' | 'webp';
export type ImageHeader = { format: ImageFormat; width: number; height: number };

/** Enrollment photos: at most this many pixels (a 48 MP phone photo passes; 16000×16000 does not). */
export const MAX_IMAGE_PIXELS = 50_000_000;

export function readImageHeader(b: Buffer): ImageHeader | null {
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) return jpeg(b);
  if (b.length >= 24 && b.toString('latin1', 1, 4) === 'PNG' && b.toString('latin1', 12, 16) === 'IHDR') {
    return { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    return webp(b);
  }
  return null;
}

function jpeg(b: Buffer): ImageHeader | null {
  const i = jpegFrameOffset(b);
  if (i === null || i + 9 > b.length) return null;
  return { format: 'jpeg', height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
}

/** Where the JPEG frame header (SOF0–SOF15 but DHT, JPG and DAC) starts: its 0xFF byte. */
export function jpegFrameOffset(b: Buffer): number | null {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] as number;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image or scan data before a frame header
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2; // markers without a length
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    if (len < 2) return null;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return i;
    i += 2 + len;
  }
  return null;
}

function webp(b: Buffer): ImageHeader | null {
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8X') {
    const w = 1 + b.readUIntLE(24, 3);
    const h = 1 + b.readUIntLE(27, 3);
    return { format: 'webp', width: w, height: h };
  }
  if (chunk === 'VP8 ' && b.length >= 30) {
    return { format: 'webp', width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = b.readUInt32LE(21);
    return { format: 'webp', width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  return null;
}

/** Why a picture is refused before decoding, or null when it may be decoded. */
export function imageRefusal(
  b: Buffer,
  maxPixels = MAX_IMAGE_PIXELS,
): { code: string; message: string } | null {
  const h = readImageHeader(b);
  if (!h) {
    return {
      code: 'CORRUPT_IMAGE',
      message: 'Foto tidak terbaca / Unreadable image (not a JPEG, PNG or WebP)',
    };
  }
  if (h.width === 0 || h.height === 0) {
    return { code: 'CORRUPT_IMAGE', message: 'Foto tidak terbaca / Unreadable image (no dimensions)' };
  }
  if (h.width * h.height > maxPixels) {
    const mp = (maxPixels / 1e6).toFixed(0);
    return {
      code: 'IMAGE_TOO_LARGE',
      message: `Foto terlalu besar / Image too large: ${h.width}×${h.height}, at most ${mp} megapixels`,
    };
  }
  return null;
}
