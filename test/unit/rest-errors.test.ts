/**
 * The error catalogue at its two edges: REST (one express middleware, a real server on loopback)
 * and the MQTT ingest's refusal codes.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMiddleware } from '../../backend/api/error-middleware.ts';
import { DomainError, dayNumber } from '../../backend/domain/index.ts';
import { AppError, ERROR_CATALOGUE, type ErrorCode, formatMessage } from '../../backend/errors.ts';
import { refusalFor } from '../../backend/ingest/ingest-refusal.ts';
import { RejectCode } from '../../protocol/index.ts';

type Body = { error: { code: string; message: string } };

describe('REST error middleware', () => {
  const logged: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line));
      done();
    },
  });
  let base = '';
  let close: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const app = express();
    app.use(express.json({ limit: 100 }));
    app.get('/domain', () => {
      dayNumber('2024-02-30'); // throws DomainError INVALID_DATE
    });
    app.get('/async-domain', async () => {
      await Promise.resolve();
      throw new DomainError('NO_PROFILE_IN_FORCE', 'no policy profile in force on 1990-01-01');
    });
    app.get('/conflict', () => {
      throw new AppError('CONFLICT', 'employee 1 already exists');
    });
    app.get('/bug', () => {
      throw new TypeError('secret internals at /srv/x');
    });
    app.get('/internal', () => {
      throw new AppError('INTERNAL', '/data/face-crops.key: not a 256-bit key', { cause: new Error('root') });
    });
    app.post('/echo', (req, res) => {
      res.json(req.body);
    });
    app.use(errorMiddleware(pino({ level: 'info' }, sink)));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((r) => server.close(() => r()));
  });
  afterAll(() => close());

  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(base + path, init);
    return { status: res.status, body: (await res.json()) as Body };
  };

  it('answers a DomainError thrown in a route with its status and code', async () => {
    const r = await get('/domain');
    expect(r.body.error.code).toBe('INVALID_DATE');
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/2024-02-30/);
    const a = await get('/async-domain');
    expect(a).toEqual({
      status: 422,
      body: { error: { code: 'NO_PROFILE_IN_FORCE', message: 'no policy profile in force on 1990-01-01' } },
    });
  });

  it('answers an AppError with its status, code and message', async () => {
    expect(await get('/conflict')).toEqual({
      status: 409,
      body: { error: { code: 'CONFLICT', message: 'employee 1 already exists' } },
    });
  });

  it('answers an unknown error with a generic 500 and logs it with its stack', async () => {
    const r = await get('/bug');
    expect(r).toEqual({ status: 500, body: { error: { code: 'INTERNAL', message: 'Internal error' } } });
    const entry = logged.find((l) => l.path === '/bug');
    expect(entry?.level).toBe(50);
    const err = entry?.err as { type: string; message: string; stack: string };
    expect(err.type).toBe('TypeError');
    expect(err.message).toBe('secret internals at /srv/x');
    expect(err.stack).toMatch(/^TypeError: secret internals at \/srv\/x\n\s+at /);
  });

  it('hides a catalogued 5xx detail from the client but logs it', async () => {
    const r = await get('/internal');
    expect(r.body).toEqual({ error: { code: 'INTERNAL', message: 'Internal error' } });
    const entry = logged.find((l) => l.path === '/internal');
    expect(JSON.stringify(entry?.err)).toContain('not a 256-bit key');
  });

  it('maps body parser errors: bad JSON is 400 VALIDATION, too large is 413', async () => {
    const post = (body: string) =>
      get('/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const bad = await post('{"nip": ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION');
    expect(bad.body.error.message).toMatch(/^body is not valid JSON: /);
    const big = await post(JSON.stringify({ x: 'y'.repeat(200) }));
    expect(big).toEqual({
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large (limit 100 bytes)' } },
    });
  });
});

describe('error catalogue', () => {
  it('DomainError is a catalogued error with the code’s status', () => {
    const e = new DomainError('UNKNOWN_SCHEDULE', 'no schedule with id "x"', { cause: 'why' });
    expect(e).toBeInstanceOf(AppError);
    expect(e).toMatchObject({ code: 'UNKNOWN_SCHEDULE', status: 422, name: 'DomainError', cause: 'why' });
  });

  it('fills a message template and keeps a thrower’s own message', () => {
    expect(formatMessage('limit {limit} bytes, {other}', { limit: 5 })).toBe('limit 5 bytes, {other}');
    expect(new AppError('NOT_FOUND').message).toBe('Not found');
    expect(new AppError('NOT_FOUND', 'no site x').message).toBe('no site x');
    expect(new AppError('PAYLOAD_TOO_LARGE', undefined, { params: { limit: 9 } }).message).toBe(
      'Request body too large (limit 9 bytes)',
    );
  });

  it('maps to the ingest’s refusal codes where a punch can be refused, else leaves it a fault', () => {
    expect(refusalFor(new DomainError('INVALID_DATE', 'bad day'))).toEqual({
      code: 'SCHEMA',
      reason: 'bad day',
    });
    expect(refusalFor(new AppError('FORBIDDEN'))).toEqual({
      code: 'ACL',
      reason: 'Not allowed for this role',
    });
    expect(refusalFor(new AppError('UNAVAILABLE'))).toBeUndefined();
    expect(refusalFor(new Error('database is locked'))).toBeUndefined();
    for (const [code, spec] of Object.entries(ERROR_CATALOGUE)) {
      if ('reject' in spec) {
        expect(RejectCode.options).toContain(spec.reject);
        expect(refusalFor(new AppError(code as ErrorCode))?.code).toBe(spec.reject);
      }
    }
  });
});
