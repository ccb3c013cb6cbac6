/**
 * Incremental parser for a stream of binary PPM (P6, maxval 255) pictures, which is what
 * `ffmpeg -f image2pipe -vcodec ppm -` writes. Unlike `-f rawvideo`, every picture carries its
 * own width and height, so no ffprobe call is needed and size changes mid-stream are handled.
 */
export interface PpmImage {
  data: Uint8Array;
  width: number;
  height: number;
}

const MAX_HEADER = 64;

export class PpmStreamParser {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private header: { width: number; height: number; headerLen: number } | undefined;

  /** Feeds bytes; returns every picture completed by them. Throws on a malformed header. */
  push(chunk: Buffer): PpmImage[] {
    const out: PpmImage[] = [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (!this.header) {
        if (this.buffered === 0) return out;
        const head = this.peek(Math.min(this.buffered, MAX_HEADER));
        const parsed = parseHeader(head);
        if (parsed === 'incomplete') {
          if (this.buffered >= MAX_HEADER) throw new Error('PPM stream: header too long');
          return out;
        }
        this.header = parsed;
      }
      const { width, height, headerLen } = this.header;
      const need = headerLen + width * height * 3;
      if (this.buffered < need) return out;
      const all = this.take(need);
      out.push({ data: all.subarray(headerLen), width, height });
      this.header = undefined;
    }
  }

  /** Bytes received but not yet part of a complete picture. */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    if (this.chunks.length === 1 || (this.chunks[0]?.length ?? 0) >= n) {
      return (this.chunks[0] as Buffer).subarray(0, n);
    }
    return Buffer.concat(this.chunks).subarray(0, n);
  }

  /** Removes the first n bytes and returns them as one fresh (non-shared) Uint8Array. */
  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0] as Buffer;
      const k = Math.min(c.length, n - off);
      out.set(c.subarray(0, k), off);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.buffered -= n;
    return out;
  }
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Parses "P6 <w> <h> <maxval><one whitespace>" (comments allowed). */
function parseHeader(buf: Buffer): { width: number; height: number; headerLen: number } | 'incomplete' {
  if (buf.length < 2) return 'incomplete';
  if (buf[0] !== 0x50 || buf[1] !== 0x36) throw new Error('PPM stream: expected P6 magic');
  const nums: number[] = [];
  let i = 2;
  while (nums.length < 3) {
    while (i < buf.length && (isSpace(buf[i] as number) || buf[i] === 0x23)) {
      if (buf[i] === 0x23) {
        while (i < buf.length && buf[i] !== 0x0a) i++;
      } else i++;
    }
    if (i >= buf.length) return 'incomplete';
    let v = 0;
    let digits = 0;
    while (i < buf.length && (buf[i] as number) >= 0x30 && (buf[i] as number) <= 0x39) {
      v = v * 10 + ((buf[i] as number) - 0x30);
      i++;
      digits++;
    }
    if (i >= buf.length) return 'incomplete';
    if (digits === 0) throw new Error('PPM stream: bad header');
    nums.push(v);
  }
  if (!isSpace(buf[i] as number)) throw new Error('PPM stream: bad header terminator');
  const [width, height, maxval] = nums as [number, number, number];
  if (maxval !== 255) throw new Error(`PPM stream: maxval ${maxval} not supported`);
  if (width <= 0 || height <= 0) throw new Error('PPM stream: empty picture');
  return { width, height, headerLen: i + 1 };
}
