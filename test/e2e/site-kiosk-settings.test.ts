/**
 * A site's kiosk tuning (PATCH /api/sites/{id} `kioskSettings`) against a real server and broker:
 * validated whole or refused whole, stored, listed, and sent in the site's kiosks' retained config
 * (a match threshold without a model is stored for the site's descriptor model at the time).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type KioskSettings, topics } from '../../protocol/index.ts';
import { Cluster, type TerminalCreds } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { connect, until } from '../support/mqtt.ts';
import { loginAs } from './rules-support.ts';

type Err = { error: { code: string; message: string } };
type SiteView = {
  id: string;
  livenessLevel: string;
  faceModel: string;
  kioskSettings: KioskSettings | null;
};
type Config = {
  siteId: string;
  cooldownSeconds: number;
  livenessLevel: string;
  match?: Record<string, unknown>;
  quality?: Record<string, unknown>;
  tracking?: Record<string, unknown>;
};

const TUNING = {
  cooldownSeconds: 120,
  match: { threshold: 0.9, margin: 0.05, frames: 3 },
  quality: { minFacePx: 80, pitchRange: [-0.2, 1.3], minSharpness: 20 },
  tracking: { enabled: true, detectEvery: 4 },
} satisfies KioskSettings;
/** As stored and sent: the threshold labelled with the site's model (the test server runs mfn192). */
const STORED = { ...TUNING, match: { ...TUNING.match, model: 'mfn192' } };

/** The config a kiosk finds retained on subscribing (a new connection with the terminal's credentials). */
async function retainedConfig(c: Cluster, t: TerminalCreds): Promise<Config> {
  const k = await connect(c.mqttUrl, { clientId: t.id, username: t.id, password: t.password });
  try {
    return await new Promise<Config>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no retained config for ${t.id}`)), 10_000);
      k.once('message', (_topic, p) => {
        clearTimeout(timer);
        resolve(JSON.parse(p.toString()) as Config);
      });
      k.subscribe(topics.config(t.id), { qos: 1 }, (err) => {
        if (err) reject(err);
      });
    });
  } finally {
    k.end(true);
  }
}

/** The retained config once it satisfies `ready` (the PATCH has published it; this only tolerates delivery). */
async function configWhen(c: Cluster, t: TerminalCreds, ready: (cfg: Config) => boolean): Promise<Config> {
  let last: Config | undefined;
  await until(async () => {
    last = await retainedConfig(c, t);
    return ready(last);
  }, 10_000);
  if (!last) throw new Error('no config');
  return last;
}

describeEachDb('site kiosk settings on %s', (db) => {
  let c: Cluster;
  let t: TerminalCreds;
  const site = async (id = 'default') =>
    (await c.api<SiteView[]>('GET', '/api/sites')).body.find((s) => s.id === id);
  /** The first backend log line matching `re` (waits for the log to reach its file). */
  const logged = async (re: RegExp): Promise<string> => {
    const line = () =>
      readFileSync(join(c.dir, 'backend.log'), 'utf8')
        .split('\n')
        .find((l) => re.test(l));
    await until(async () => line() !== undefined, 10_000);
    return line() ?? '';
  };
  const stored = async () =>
    (await c.query((p) => p.site.findUniqueOrThrow({ where: { id: 'default' } }))).kioskSettings;

  beforeAll(async () => {
    // A server default other than the built-in one: the filled-in model must be the site's effective one.
    c = await Cluster.start({ db, env: { FACE_DESCRIPTOR: 'mfn192' } });
    t = await c.registerTerminal('Tuning');
  });
  afterAll(async () => {
    await c.stop();
  });

  it('starts with no settings: kiosk defaults, cooldown 60', async () => {
    expect((await site())?.kioskSettings).toBeNull();
    await c.api('PATCH', '/api/sites/default', { name: 'Kantor Bupati' });
    const cfg = await configWhen(c, t, (x) => x.siteId === 'default');
    expect(cfg.cooldownSeconds).toBe(60);
    expect(cfg).not.toHaveProperty('match');
    expect(cfg).not.toHaveProperty('quality');
    expect(cfg).not.toHaveProperty('tracking');
  });

  it('stores a valid PATCH, lists it and sends it in the retained config with the site’s model', async () => {
    const r = await c.api<SiteView & { configSentTo: number }>('PATCH', '/api/sites/default', {
      kioskSettings: TUNING,
    });
    expect(r.status).toBe(200);
    expect(r.body.kioskSettings).toEqual(STORED);
    expect(r.body.configSentTo).toBe(1);
    expect(JSON.parse((await stored()) ?? 'null')).toEqual(STORED);
    expect(await site()).toMatchObject({ faceModel: 'mfn192', kioskSettings: STORED });

    const cfg = await configWhen(c, t, (x) => x.cooldownSeconds === 120);
    expect(cfg.match).toEqual({ threshold: 0.9, margin: 0.05, frames: 3, model: 'mfn192' });
    expect(cfg.quality).toEqual({ minFacePx: 80, pitchRange: [-0.2, 1.3], minSharpness: 20 });
    expect(cfg.tracking).toEqual({ enabled: true, detectEvery: 4 });
    // The label stays with the stored threshold: after the site changes model its kiosks ignore it.
    await c.query((p) => p.site.update({ where: { id: 'default' }, data: { faceModel: 'mfn512' } }));
    await c.api('PATCH', '/api/sites/default', { livenessLevel: 'active' });
    expect((await configWhen(c, t, (x) => x.livenessLevel === 'active')).match).toEqual(STORED.match);
    await c.api('PATCH', '/api/sites/default', { livenessLevel: 'off' });
    await c.query((p) => p.site.update({ where: { id: 'default' }, data: { faceModel: null } }));
  });

  it('refuses a bad body with 400 naming each field, and changes nothing', async () => {
    const before = await stored();
    const bad = await c.api<Err>('PATCH', '/api/sites/default', {
      livenessLevel: 'strict',
      kioskSettings: { quality: { minFacePx: -5 }, tracking: { enabled: true, everyFrame: true } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION');
    expect(bad.body.error.message).toMatch(/kioskSettings\.quality\.minFacePx: /);
    expect(bad.body.error.message).toMatch(/kioskSettings\.tracking: .*"everyFrame"/);
    const unknownTop = await c.api<Err>('PATCH', '/api/sites/default', { kioskSettings: { cooldown: 5 } });
    expect(unknownTop.status).toBe(400);
    expect(unknownTop.body.error.message).toMatch(/kioskSettings: .*"cooldown"/);
    const wrongType = await c.api<Err>('PATCH', '/api/sites/default', { kioskSettings: 'fast' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.message).toMatch(/^kioskSettings: /);

    expect(await stored()).toBe(before);
    expect(await site()).toMatchObject({ livenessLevel: 'off', kioskSettings: STORED });
    const cfg = await retainedConfig(c, t);
    expect(cfg).toMatchObject({ livenessLevel: 'off', cooldownSeconds: 120, quality: TUNING.quality });
  });

  it('refuses roles other than the admins (403) and changes nothing', async () => {
    const opd = await loginAs(c, 'opd-tuning', 'OPD_ADMIN', 'default');
    const spv = await loginAs(c, 'spv-tuning', 'SUPERVISOR', 'default');
    for (const token of [opd, spv]) {
      const r = await c.api<Err>('PATCH', '/api/sites/default', { kioskSettings: null }, token);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
    expect((await site())?.kioskSettings).toEqual(STORED);
  });

  it('keeps an explicit model and fills a site’s own face model', async () => {
    // The site's model set directly: a real switch loads face models, which this test does not need.
    await c.query((p) => p.site.update({ where: { id: 'default' }, data: { faceModel: 'faceapi' } }));
    const own = await c.api<SiteView>('PATCH', '/api/sites/default', {
      kioskSettings: { match: { margin: 0.1 } },
    });
    expect(own.body).toMatchObject({ faceModel: 'faceapi', kioskSettings: { match: { margin: 0.1 } } });
    const filled = await configWhen(c, t, (x) => x.match?.margin === 0.1);
    expect(filled.match).toEqual({ margin: 0.1, model: 'faceapi' });
    expect(filled.cooldownSeconds).toBe(60);
    expect(filled).not.toHaveProperty('quality');

    await c.api('PATCH', '/api/sites/default', {
      kioskSettings: { match: { threshold: 0.4, model: 'mfn512' }, quality: { minFacePx: 96 } },
    });
    const explicit = await configWhen(c, t, (x) => x.match?.threshold === 0.4);
    expect(explicit.match).toEqual({ threshold: 0.4, model: 'mfn512' });
    // Frames alone are model-independent: no model is added.
    await c.api('PATCH', '/api/sites/default', { kioskSettings: { match: { frames: 5 } } });
    expect((await configWhen(c, t, (x) => x.match?.frames === 5)).match).toEqual({ frames: 5 });
    await c.query((p) => p.site.update({ where: { id: 'default' }, data: { faceModel: null } }));
  });

  it('null clears the settings: cooldown back to 60, no tuning sent', async () => {
    await c.api('PATCH', '/api/sites/default', { kioskSettings: TUNING });
    await configWhen(c, t, (x) => x.cooldownSeconds === 120);
    const r = await c.api<SiteView>('PATCH', '/api/sites/default', { kioskSettings: null });
    expect(r.status).toBe(200);
    expect(r.body.kioskSettings).toBeNull();
    expect(await stored()).toBeNull();
    expect((await site())?.kioskSettings).toBeNull();
    const cfg = await configWhen(c, t, (x) => x.cooldownSeconds === 60);
    expect(cfg).not.toHaveProperty('match');
    expect(cfg).not.toHaveProperty('quality');
    expect(cfg).not.toHaveProperty('tracking');
  });

  it('a stored value that no longer parses counts as none, with a warning', async () => {
    await c.query((p) =>
      p.site.update({
        where: { id: 'default' },
        data: { kioskSettings: '{"quality":{"minFacePx":"big"},"cooldownSeconds":5}' },
      }),
    );
    const list = await c.api<SiteView[]>('GET', '/api/sites');
    expect(list.status).toBe(200);
    expect(list.body.find((s) => s.id === 'default')?.kioskSettings).toBeNull();
    const r = await c.api<SiteView & { configSentTo: number }>('PATCH', '/api/sites/default', {
      livenessLevel: 'active',
    });
    expect(r.status).toBe(200);
    expect(r.body.kioskSettings).toBeNull();
    const cfg = await configWhen(c, t, (x) => x.livenessLevel === 'active');
    expect(cfg.cooldownSeconds).toBe(60);
    expect(cfg).not.toHaveProperty('quality');
    // The backend's log reaches its file through a pipe: wait for the line, then check what it says.
    expect(await logged(/stored kiosk settings are invalid: ignored/)).toMatch(
      /"issues":\["quality\.minFacePx: /,
    );

    await c.query((p) => p.site.update({ where: { id: 'default' }, data: { kioskSettings: 'not json' } }));
    expect((await site())?.kioskSettings).toBeNull();
    expect(await logged(/stored kiosk settings are not JSON/)).toContain('"siteId":"default"');
    await c.api('PATCH', '/api/sites/default', { livenessLevel: 'off', kioskSettings: null });
  });

  it('documents the field in the OpenAPI body of PATCH /api/sites/{id}', async () => {
    const r = await c.api<{ paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/api/openapi.json',
      undefined,
      '',
    );
    const patch = JSON.stringify(r.body.paths['/api/sites/{id}']?.patch);
    expect(patch).toContain('kioskSettings');
    expect(patch).toContain('minFacePx');
  });
});
