/**
 * A fuzz test of every REST body schema (issue #12): the OpenAPI document is walked, and every
 * POST/PATCH/PUT route gets random bodies and bodies built from its own schema then mutated
 * (fast-check), with random and malformed path parameters, as the super admin. No answer may be a
 * 5xx, every refusal is the error shape, and the process stays up. Bounded: about 60 s in all.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_PASSWORD, Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { nip } from '../support/punches.ts';

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
};
type Operation = { requestBody?: { content: { 'application/json': { schema: Schema } } } };

/** ~60 s in all: shared by the database variants that run. */
const BUDGET_MS = process.env.PG_TEST_URL ? 27_000 : 55_000;
const NASTY = [
  '',
  ' ',
  'Budi\u202Eexe.gpj',
  'a\nb',
  '\u0000',
  'x'.repeat(5000),
  '2026-02-30',
  '2026-13',
  '25:99',
  '../../etc/passwd',
  "'; DROP TABLE employee; --",
  '%E0%A4%A',
  '__proto__',
  'default',
  nip(1),
  '2026-01-01',
  '2026-01',
  '07:30',
  'Asia/Jakarta',
  '1e309',
];

/** Values shaped like `s`, often wrong on purpose. */
function shapedLike(s: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const wild = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...NASTY));
  if (!s || depth > 4) return wild;
  const alts = s.anyOf ?? s.oneOf ?? s.allOf;
  if (alts && alts.length > 0) return fc.oneof(...alts.map((a) => shapedLike(a, depth + 1)), wild);
  if (s.enum)
    return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...s.enum) }, { weight: 1, arbitrary: wild });
  if (s.const !== undefined) return fc.oneof(fc.constant(s.const), wild);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  const shaped = ((): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'object':
        return objectOf(s, depth);
      case 'array':
        return fc.array(shapedLike(s.items, depth + 1), { maxLength: 4 });
      case 'string':
        return fc.oneof(
          fc.constantFrom(...NASTY),
          fc.string({ maxLength: 40 }),
          fc.stringMatching(/^\d{18}$/),
        );
      case 'integer':
      case 'number':
        return fc.oneof(
          fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1000 }),
          fc.constantFrom(-1, 0, 1, 2 ** 53, -(2 ** 31), 1.5, 1e308),
        );
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      default:
        return wild;
    }
  })();
  return fc.oneof({ weight: 5, arbitrary: shaped }, { weight: 1, arbitrary: wild });
}

function objectOf(s: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, shapedLike(v, depth + 1)]));
  return fc
    .tuple(
      fc.record(model, { requiredKeys: [] }),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
    )
    .map(([known, extra]) => (Math.random() < 0.2 ? { ...known, ...extra } : known));
}

/** A path parameter: a plausible id, a random one, or a malformed %-escape. */
const param = fc.oneof(
  fc.constantFrom('default', nip(1), nip(2), '1', 'x'),
  fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent),
  fc.constantFrom('%E0%A4%A', '%', '%zz', '..%2F..', 'a%00b'),
);

/** A whole body: one of the schema, raw JSON of any shape, or no JSON at all. */
function bodyOf(op: Operation): fc.Arbitrary<string> {
  const schema = op.requestBody?.content['application/json'].schema;
  return fc.oneof(
    { weight: 6, arbitrary: shapedLike(schema).map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('{', '{"a":', 'null', '[]', '""', '{"__proto__":{"x":1}}', '\u0000'),
    },
  );
}

/** One request with a raw body; any answer (204, HTML, JSON) read as text; a network failure is a 599. */
async function send(c: Cluster, token: string, method: string, path: string, body: string) {
  try {
    const res = await fetch(`http://127.0.0.1:${c.httpPort}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
    const text = await res.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: judged below
    }
    return { status: res.status, body: json };
  } catch (err) {
    return { status: 599, body: String(err) };
  }
}

describeEachDb('REST fuzz of every body schema on %s', (db) => {
  let c: Cluster;
  let token: string;
  beforeAll(async () => {
    c = await Cluster.start({ db });
    await c.createEmployee(nip(1), 'Pegawai Satu');
    const r = await c.api<{ token: string }>(
      'POST',
      '/api/auth/login',
      { username: 'admin', password: ADMIN_PASSWORD },
      '',
    );
    token = r.body.token;
  });
  afterAll(async () => {
    await c.stop();
  });

  it('no 5xx, only the error shape, and the process alive', { timeout: 120_000 }, async () => {
    const doc = await c.api<{ paths: Record<string, Record<string, Operation>> }>('GET', '/api/openapi.json');
    const targets: Array<{ method: string; path: string; op: Operation }> = [];
    for (const [path, ops] of Object.entries(doc.body.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (['post', 'patch', 'put'].includes(method)) targets.push({ method, path, op });
      }
    }
    expect(targets.length).toBeGreaterThan(20);
    const perRoute = Math.floor(BUDGET_MS / targets.length);
    const failures: string[] = [];
    let sent = 0;
    for (const t of targets) {
      const names = [...t.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
      await fc.assert(
        fc.asyncProperty(
          bodyOf(t.op),
          fc.array(param, { minLength: names.length, maxLength: names.length }),
          async (body, params) => {
            let i = 0;
            const path = t.path.replace(/\{\w+\}/g, () => params[i++] ?? 'x');
            const r = await send(c, token, t.method.toUpperCase(), path, body);
            sent++;
            const shaped =
              r.status < 400 ||
              (typeof r.body === 'object' &&
                r.body !== null &&
                'error' in r.body &&
                typeof (r.body as { error: { code?: unknown } }).error.code === 'string');
            if (r.status >= 500 || !shaped)
              failures.push(
                `${t.method} ${path} ${body.slice(0, 200)} -> ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`,
              );
          },
        ),
        {
          numRuns: 1000,
          interruptAfterTimeLimit: perRoute,
          markInterruptAsFailure: false,
          endOnFailure: true,
        },
      );
    }
    process.stdout.write(`rest fuzz: ${sent} requests over ${targets.length} routes\n`);
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(targets.length);
    const health = await c.api<{ status: string }>('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(c.backend?.child.exitCode ?? null).toBeNull();
  });
});
