import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/env-config.ts';
import { DEFAULT_MQTT_URL, loadTerminalConfig } from '../../terminal/terminal.config.ts';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-config-'));
const kiosk = {
  id: 'k1',
  secret: 's3cret',
  mqttUrl: 'mqtt://10.0.0.5:11883',
  apiUrl: 'http://10.0.0.5:18080',
  site: 'default',
};

function file(name: string, json: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
  return path;
}

function problems(argv: string[], env: Record<string, string> = {}): readonly string[] {
  try {
    loadTerminalConfig(argv, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('kiosk config', () => {
  it('takes the broker and backend URLs from the registration’s kiosk file', () => {
    const c = loadTerminalConfig(['--config', file('kiosk.json', kiosk), '--simulate'], {});
    expect(c).toMatchObject({
      id: 'k1',
      secret: 's3cret',
      mqttUrl: kiosk.mqttUrl,
      apiUrl: kiosk.apiUrl,
      site: 'default',
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads the whole registration answer saved as it is', () => {
    const answer = {
      id: 'k1',
      name: 'Gerbang',
      siteId: 'default',
      mqtt: { url: kiosk.mqttUrl, username: 'k1', password: 's3cret' },
      kiosk,
    };
    expect(loadTerminalConfig(['--config', file('answer.json', answer)], {}).mqttUrl).toBe(kiosk.mqttUrl);
  });

  it('flags override the file, the file overrides the environment', () => {
    const path = file('kiosk2.json', kiosk);
    const env = {
      MQTT_URL: 'mqtt://env-host:1',
      TERMINAL_API_URL: 'http://env-host:2',
      TERMINAL_ID: 'env-id',
    };
    const fromFile = loadTerminalConfig(['--config', path], env);
    expect(fromFile).toMatchObject({ id: 'k1', mqttUrl: kiosk.mqttUrl, apiUrl: kiosk.apiUrl });
    const flagged = loadTerminalConfig(
      ['--config', path, '--mqtt-url', 'mqtts://broker:8883', '--id', 'k9'],
      env,
    );
    expect(flagged).toMatchObject({ id: 'k9', secret: 's3cret', mqttUrl: 'mqtts://broker:8883' });
    const fromEnv = loadTerminalConfig([], { ...env, TERMINAL_SECRET: 'x' });
    expect(fromEnv).toMatchObject({
      id: 'env-id',
      mqttUrl: 'mqtt://env-host:1',
      apiUrl: 'http://env-host:2',
    });
  });

  it('defaults: the local broker, and the API on its host at 8080; "none" turns the gallery pull off', () => {
    const c = loadTerminalConfig(['--id', 'k1', '--secret', 's'], {});
    expect(c.mqttUrl).toBe(DEFAULT_MQTT_URL);
    expect(c.apiUrl).toBe('http://127.0.0.1:8080');
    expect(
      loadTerminalConfig(['--id', 'k1', '--secret', 's', '--mqtt-url', 'mqtts://b.example:8883'], {}).apiUrl,
    ).toBe('https://b.example:8080');
    expect(
      loadTerminalConfig(['--id', 'k1', '--secret', 's', '--api-url', 'none'], {}).apiUrl,
    ).toBeUndefined();
  });

  it('lists every problem at once, naming the flag', () => {
    const p = problems(
      ['--count', '-1', '--simulate', '--video', 'v.mp4', '--repeat', '3', '--liveness', 'max'],
      {
        FACE_DESCRIPTOR: 'arcface',
      },
    );
    const has = (prefix: string) => p.some((x) => x.startsWith(prefix));
    expect(has('--id')).toBe(true);
    expect(has('--secret')).toBe(true);
    expect(has('--count: ')).toBe(true);
    expect(has('punch source: choose one of')).toBe(true);
    expect(has('--repeat: applies to --images only')).toBe(true);
    expect(has('--liveness')).toBe(true);
    expect(has('FACE_DESCRIPTOR: ')).toBe(true);
    expect(p).toHaveLength(7);
  });

  it('reports an unknown flag, an unreadable file and a bad field in the file', () => {
    expect(problems(['--id', 'k', '--secret', 's', '--mqtt', 'x', '--count'])).toEqual([
      '--mqtt: unknown option',
      '--count: needs a value',
      'x: unexpected argument (options start with --)',
    ]);
    expect(problems(['--config', join(dir, 'missing.json')])[0]).toMatch(/^--config .*missing\.json: ENOENT/);
    const bad = problems(['--config', file('bad.json', { ...kiosk, mqttUrl: 'localhost:1883', extra: 1 })]);
    expect(bad.some((x) => x.includes('"mqttUrl": expected mqtt://host:port'))).toBe(true);
    expect(bad.some((x) => x.includes('extra'))).toBe(true);
  });

  it('--repeat for a folder of pictures; FACE_DESCRIPTOR and the log settings from the environment', () => {
    const c = loadTerminalConfig(['--id', 'k', '--secret', 's', '--images', 'dir', '--repeat', '4'], {
      FACE_DESCRIPTOR: 'faceapi',
      LOG_FORMAT: 'pretty',
    });
    expect(c).toMatchObject({
      images: 'dir',
      repeat: 4,
      faceDescriptor: 'faceapi',
      log: { level: 'info', format: 'pretty' },
    });
  });
});
