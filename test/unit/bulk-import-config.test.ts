import { describe, expect, it } from 'vitest';
import { loadBulkImportConfig } from '../../backend/faces/bulk-import.config.ts';
import { DEFAULT_ZIP_LIMITS } from '../../backend/faces/zip-photos.ts';
import { ConfigError } from '../../lib/env-config.ts';

describe('enroll:bulk options', () => {
  it('flags over the environment over the defaults', () => {
    const c = loadBulkImportConfig(['--zip', 'p.zip'], {
      ADMIN_PASSWORD: 'pw',
      API_URL: 'http://10.0.0.5:18080/',
    });
    expect(c).toEqual({
      zip: 'p.zip',
      url: 'http://10.0.0.5:18080',
      user: 'admin',
      password: 'pw',
      limits: DEFAULT_ZIP_LIMITS,
    });
    const flagged = loadBulkImportConfig(
      ['--dir', 'd', '--url', 'https://absensi.example.go.id', '--user', 'bkd'],
      {
        ADMIN_PASSWORD: 'pw',
        ADMIN_USERNAME: 'other',
      },
    );
    expect(flagged).toMatchObject({ dir: 'd', url: 'https://absensi.example.go.id', user: 'bkd' });
  });

  it('lists every problem at once', () => {
    try {
      loadBulkImportConfig(['--dir', 'd', '--zip', 'z', '--url', 'ftp://x'], {});
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const p = (e as ConfigError).problems;
      expect(p).toHaveLength(3);
      expect(p.some((x) => x.startsWith('--url (or API_URL): '))).toBe(true);
      expect(p.some((x) => x.startsWith('--password (or ADMIN_PASSWORD): required'))).toBe(true);
      expect(p).toContain('--dir: give exactly one of --dir DIR or --zip FILE');
    }
  });
});
