import { isAbsolute } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../backend/config.ts';
import { resolveDatabaseUrl } from '../../backend/db/database.ts';
import { ConfigError } from '../../lib/env-config.ts';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('backend config', () => {
  it('lists every problem at once, each naming its variable', () => {
    const problems = problemsOf({
      PORT: '99999',
      AUTH_SECRET: 'short',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://x',
      FACE_DESCRIPTOR: 'arcface',
    });
    expect(problems).toHaveLength(5);
    for (const name of ['PORT', 'AUTH_SECRET', 'LOG_LEVEL', 'DATABASE_URL', 'FACE_DESCRIPTOR']) {
      expect(problems.some((p) => p.startsWith(`${name}: `))).toBe(true);
    }
  });

  it('keeps the valid log settings to report its problems with', () => {
    try {
      loadConfig({ PORT: 'x', LOG_FORMAT: 'pretty', LOG_LEVEL: 'nope' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).log).toEqual({ level: 'info', format: 'pretty' });
    }
  });

  it('puts the SQLite database in DATA_DIR unless DATABASE_URL says otherwise', () => {
    expect(loadConfig({ DATA_DIR: '/srv/absensi' }).DATABASE_URL).toBe('file:/srv/absensi/attendance.db');
    expect(loadConfig({ DATA_DIR: '/srv/absensi', DATABASE_URL: '' }).DATABASE_URL).toBe(
      'file:/srv/absensi/attendance.db',
    );
    const rel = loadConfig({}).DATABASE_URL;
    expect(rel).toBe('file:data/attendance.db');
    const abs = resolveDatabaseUrl(rel).url.slice('file:'.length);
    expect(isAbsolute(abs) && abs.endsWith('/data/attendance.db')).toBe(true);
    const pg = 'postgresql://u@127.0.0.1:5433/d';
    expect(loadConfig({ DATA_DIR: '/srv/absensi', DATABASE_URL: pg }).DATABASE_URL).toBe(pg);
    expect(loadConfig({ DATA_DIR: '/srv/absensi' }).authSecretFile).toBe('/srv/absensi/auth-secret');
  });

  it('is frozen, with defaults for what is not set', () => {
    const cfg = loadConfig({ FACE_DESCRIPTOR: 'faceapi', LOG_FORMAT: 'json' });
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(() => {
      (cfg as { PORT: number }).PORT = 1;
    }).toThrow(TypeError);
    expect(cfg.PORT).toBe(8080);
    expect(cfg.MQTT_PORT).toBe(1883);
    expect(cfg.FACE_DESCRIPTOR).toBe('faceapi');
    expect(loadConfig({}).FACE_DESCRIPTOR).toBe('mfn512');
    expect(cfg.log).toEqual({ level: 'info', format: 'json' });
  });

  it('refuses public URLs a kiosk could not use', () => {
    expect(problemsOf({ PUBLIC_MQTT_URL: 'localhost:1883', PUBLIC_API_URL: 'ftp://x' })).toHaveLength(2);
    const ok = loadConfig({ PUBLIC_MQTT_URL: 'mqtts://absensi.example.go.id:8883' });
    expect(ok.PUBLIC_MQTT_URL).toBe('mqtts://absensi.example.go.id:8883');
  });
});
