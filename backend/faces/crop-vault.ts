/**
 * Encryption at rest of kept enrollment face crops (site photo evidence on): AES-256-GCM with a
 * random 96-bit IV per crop and the crop's row id as additional authenticated data, so a sealed
 * crop cannot be moved to another row unnoticed. The 256-bit key lives in a file in DATA_DIR,
 * created 0600 on first use (the pattern of broker/credentials.ts loadServiceSecret); without that
 * file the crops in the database are unreadable, which is the point (a database dump or backup
 * alone gives no faces). Its path is FACE_CROP_KEY_FILE (default DATA_DIR/face-crops.key): several
 * backend instances must share one file (a mounted secret), and backups of the database should not
 * carry it. Losing the key only loses re-derivation: templates are not encrypted
 * with it, and a switch then asks for re-enrollment (the crops fail to open, with a reason).
 *
 * Sealed layout: [version 1][iv 12][tag 16][ciphertext].
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../errors.ts';

const VERSION = 1;
const IV = 12;
const TAG = 16;

export class CropVault {
  private key: Buffer | undefined;

  constructor(readonly keyFile: string) {}

  private getKey(): Buffer {
    if (this.key) return this.key;
    if (!existsSync(this.keyFile)) {
      mkdirSync(dirname(this.keyFile), { recursive: true });
      // Written whole to a temporary file, then linked into place: another process never reads a
      // half-written key, and of two racing creators the first link wins and both use its key.
      const tmp = `${this.keyFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(tmp, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(tmp, 0o600);
      try {
        linkSync(tmp, this.keyFile);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      } finally {
        rmSync(tmp, { force: true });
      }
    }
    const key = Buffer.from(readFileSync(this.keyFile, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new AppError('INTERNAL', `${this.keyFile}: not a 256-bit key (base64)`);
    this.key = key;
    return key;
  }

  seal(aad: string, plain: Buffer): Buffer {
    const iv = randomBytes(IV);
    const c = createCipheriv('aes-256-gcm', this.getKey(), iv);
    c.setAAD(Buffer.from(aad));
    const body = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, c.getAuthTag(), body]);
  }

  /** Throws when the data was not sealed with this key for this `aad` (or was altered). */
  open(aad: string, sealed: Uint8Array): Buffer {
    const b = Buffer.from(sealed);
    if (b.length < 1 + IV + TAG || b[0] !== VERSION) throw new AppError('INTERNAL', 'not a sealed face crop');
    const d = createDecipheriv('aes-256-gcm', this.getKey(), b.subarray(1, 1 + IV));
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(b.subarray(1 + IV, 1 + IV + TAG));
    return Buffer.concat([d.update(b.subarray(1 + IV + TAG)), d.final()]);
  }
}
