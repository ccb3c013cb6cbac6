/**
 * Employees in and out as CSV (issue #11) through the real server, REST only: a dry run lists each
 * bad row with its line and writes nothing; the real run creates and updates; the export imports
 * back all "unchanged"; an OPD admin's rows outside their units are errors; 10 000 rows complete
 * with progress that only goes up.
 */
import http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_PASSWORD, Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { nip } from '../support/punches.ts';

type RowError = { line: number; field?: string; message: string };
type Job = {
  id: string;
  state: 'Running' | 'Done' | 'Failed';
  total: number;
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  errors: RowError[];
  rows: Array<{
    line: number;
    nip: string | null;
    action: string;
    fields?: string[];
    effectiveFrom?: string;
  }>;
  message?: string;
};
type Person = {
  nip: string;
  name: string;
  kind: string;
  unitId: string;
  siteId: string | null;
  superiorNip: string | null;
  positionClass: number | null;
  baseAmount: number | null;
  startDate: string | null;
  history: Array<{ effectiveFrom: string; positionClass: number | null }>;
  schedules: Array<{ scheduleId: string; effectiveFrom: string }>;
};

const HEADER =
  'nip,name,kind,unitId,siteId,superiorNip,positionClass,baseAmount,startDate,endDate,endReason,scheduleId,effectiveFrom';

describeEachDb('employees as CSV on %s', (db) => {
  let c: Cluster;
  let admin: string;
  const [ani, budi, cici, dewi] = [nip(701), nip(702), nip(703), nip(704)];

  const login = async (username: string, password: string): Promise<string> => {
    const r = await c.api<{ token: string }>('POST', '/api/auth/login', { username, password }, '');
    expect(r.status).toBe(200);
    return r.body.token;
  };
  const post = async (csv: string, query = '', token = admin) => {
    const res = await fetch(`http://127.0.0.1:${c.httpPort}/api/employees/import${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
      body: csv,
    });
    return { status: res.status, body: (await res.json()) as Job & { error?: { message: string } } };
  };
  /** The status answered to an import announcing `size` bytes, sent before any byte of the body. */
  const announce = (size: number) =>
    new Promise<number | undefined>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: c.httpPort,
        path: '/api/employees/import',
        method: 'POST',
        headers: { 'content-type': 'text/csv', 'content-length': size, authorization: `Bearer ${admin}` },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode);
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
  /** Polls the job until it ends; every `processed` seen on the way. */
  const finish = async (id: string, token = admin) => {
    const seen: number[] = [];
    for (;;) {
      const r = await c.api<Job>('GET', `/api/employees/import/${id}`, undefined, token);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      seen.push(r.body.processed);
      if (r.body.state !== 'Running') return { job: r.body, seen };
      await new Promise((res) => setTimeout(res, 40));
    }
  };
  const run = async (csv: string, query = '', token = admin) => {
    const r = await post(csv, query, token);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const { job } = await finish(r.body.id, token);
    expect(job.state, job.message).toBe('Done');
    return job;
  };
  const exportCsv = async (token = admin, query = '') => {
    const res = await fetch(`http://127.0.0.1:${c.httpPort}/api/employees/export${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    return res.text();
  };
  const person = (n: string) => c.api<Person>('GET', `/api/employees/${n}`);

  beforeAll(async () => {
    c = await Cluster.start({ db });
    admin = await login('admin', ADMIN_PASSWORD);
    for (const u of [
      { id: 'dinkes', name: 'Dinas Kesehatan' },
      { id: 'dinkes-p2p', name: 'Bidang P2P', parentId: 'dinkes' },
      { id: 'bappeda', name: 'Bappeda' },
    ]) {
      const r = await c.api('POST', '/api/units', u);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const s = await c.api('POST', '/api/sites', {
      id: 'kantor-timur',
      name: 'Kantor Timur',
      timeZone: 'WITA',
    });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
  });
  afterAll(async () => {
    await c?.stop();
  });

  // Line 2 names as superior the employee created on line 9; line 3 spans two lines (a quoted break in
  // its last, empty cell: a name may not hold a line break, #12).
  const first = [
    HEADER,
    `${ani},"Ani ""Nur"", S.Pd",PNS,dinkes,,${cici},,4000000,2024-01-02,,,,`,
    `${budi},Budi Santoso,PPPK,dinkes-p2p,,,7,,2024-01-02,,,,"`,
    `"`,
    `12345,Salah NIP,PNS,dinkes,,,,,2024-01-02,,,,`,
    `${nip(705)},Unit Asing,PNS,nope,,,,,2024-01-02,,,,`,
    `${nip(706)},Terbalik,PNS,dinkes,,,,,2024-03-01,2024-02-01,Retirement,,`,
    `${budi},Budi Lagi,PNS,dinkes,,,,,2024-01-02,,,,`,
    `${cici},-Cici =Formula,PNS,bappeda,kantor-timur,,9,,2024-01-02,,,office-default,`,
  ].join('\n');

  it('a dry run lists each bad row with its line and field, and writes nothing', async () => {
    const r = await post(first, '?dryRun=true');
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.total).toBe(7);
    const { job } = await finish(r.body.id);
    expect(job).toMatchObject({ state: 'Done', processed: 7, created: 3, updated: 0, failed: 4 });
    expect(job.errors.map((e) => [e.line, e.field])).toEqual([
      [5, 'nip'],
      [6, 'unitId'],
      [7, 'endDate'],
      [8, 'nip'],
    ]);
    expect(job.errors[1]?.message).toMatch(/nope/);
    expect(job.errors[3]?.message).toMatch(/line 3/);
    expect(job.rows.map((x) => [x.line, x.action])).toEqual([
      [2, 'create'],
      [3, 'create'],
      [5, 'error'],
      [6, 'error'],
      [7, 'error'],
      [8, 'error'],
      [9, 'create'],
    ]);
    for (const n of [ani, budi, cici]) expect((await person(n)).status).toBe(404);
  });

  it('the real run creates the good rows; a second file updates, from effectiveFrom or at once', async () => {
    const job = await run(first);
    expect(job).toMatchObject({ created: 3, failed: 4, processed: 7 });
    const a = (await person(ani)).body;
    expect(a).toMatchObject({
      name: 'Ani "Nur", S.Pd',
      unitId: 'dinkes',
      superiorNip: cici,
      baseAmount: 4_000_000,
    });
    const b = (await person(budi)).body;
    expect(b).toMatchObject({ name: 'Budi Santoso', kind: 'PPPK', unitId: 'dinkes-p2p', positionClass: 7 });
    const cc = (await person(cici)).body;
    expect(cc).toMatchObject({ name: '-Cici =Formula', siteId: 'kantor-timur', startDate: '2024-01-02' });
    expect(cc.schedules.map((s) => [s.scheduleId, s.effectiveFrom])).toEqual([
      ['office-default', '2024-01-02'],
    ]);

    // Semicolons and Indonesian headers, as Excel writes them in an Indonesian locale.
    const edit = [
      'nip;nama;kelasJabatan;berlaku;tmt',
      `${ani};Ani Nur;9;2025-06-01;`,
      `${budi};"Budi Santoso";7;;2024-01-02`,
      `${dewi};Dewi Baru;;;`,
    ].join('\r\n');
    const job2 = await run(edit);
    expect(job2).toMatchObject({ created: 1, updated: 1, unchanged: 1, failed: 0 });
    expect(job2.rows[0]).toMatchObject({
      line: 2,
      action: 'update',
      fields: ['name', 'positionClass'],
      effectiveFrom: '2025-06-01',
    });
    const a2 = (await person(ani)).body;
    expect(a2.name).toBe('Ani Nur');
    expect(a2.history.map((h) => [h.effectiveFrom, h.positionClass])).toEqual([
      ['2024-01-02', null],
      ['2025-06-01', 9],
    ]);
    expect((await person(dewi)).body.unitId).toBe('default');
  });

  it('the export imports back all unchanged, and the JSON body works as the CSV one', async () => {
    const csv = await exportCsv();
    expect(csv.split('\r\n')[0]).toBe(HEADER);
    expect(csv).toContain(`,'-Cici =Formula,`);
    const r = await c.api<Job>('POST', '/api/employees/import', { csv });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const { job } = await finish(r.body.id);
    expect(job).toMatchObject({ state: 'Done', total: 4, unchanged: 4, created: 0, updated: 0, failed: 0 });
    expect(await exportCsv()).toBe(csv);
  });

  it('an OPD admin imports into their units only; other rows are errors naming unitId', async () => {
    const u = await c.api('POST', '/api/users', {
      username: 'opd-dinkes',
      password: 'opd-dinkes-password-1',
      role: 'OPD_ADMIN',
      unitId: 'dinkes',
    });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    const opd = await login('opd-dinkes', 'opd-dinkes-password-1');
    const csv = [
      'nip,name,unitId,baseAmount,effectiveFrom',
      `${nip(707)},Eka,dinkes-p2p,,`,
      `${nip(708)},Fajar,bappeda,,`,
      `${cici},,,5000000,2025-01-01`,
    ].join('\n');
    const job = await run(csv, '', opd);
    expect(job).toMatchObject({ created: 1, failed: 2 });
    expect(job.errors.map((e) => [e.line, e.field])).toEqual([
      [3, 'unitId'],
      [4, 'unitId'],
    ]);
    const mine = (await exportCsv(opd)).split('\r\n').map((l) => l.split(',')[0]);
    expect(mine).toContain(nip(707));
    expect(mine).toContain(ani);
    expect(mine).not.toContain(cici);
    const other = await fetch(`http://127.0.0.1:${c.httpPort}/api/employees/export?unitId=bappeda`, {
      headers: { authorization: `Bearer ${opd}` },
    });
    expect(other.status).toBe(403);
    // Another admin's job is not theirs to read.
    const adminJob = await post(csv, '?dryRun=true');
    expect((await c.api('GET', `/api/employees/import/${adminJob.body.id}`, undefined, opd)).status).toBe(
      404,
    );
    await finish(adminJob.body.id);
  });

  it('refuses a file whose header is not the import’s, naming the column, and one over 20 MB', async () => {
    const r = await post('nip,nama,gaji\n1,2,3\n');
    expect(r.status).toBe(400);
    expect(r.body.error?.message).toMatch(/gaji/);
    // Refused from its Content-Length, before any of it is read: the answer comes while the client
    // has sent only the headers (a client streaming the body on may see the connection closed).
    expect(await announce(21 * 1024 * 1024)).toBe(413);
    const json = await c.api<{ error: { message: string } }>('POST', '/api/employees/import', { file: 'x' });
    expect(json.status).toBe(400);
    expect(json.body.error.message).toMatch(/csv/);
  });

  it('is in the OpenAPI document: the CSV body as text, the job’s fields', async () => {
    const doc = (
      await c.api<{ paths: Record<string, Record<string, Record<string, unknown>>> }>(
        'GET',
        '/api/openapi.json',
      )
    ).body;
    const imp = doc.paths['/api/employees/import']?.post as {
      requestBody: { content: Record<string, unknown> };
      responses: Record<string, { content: { 'application/json': { schema: { properties: object } } } }>;
    };
    expect(Object.keys(imp.requestBody.content).sort()).toEqual(['application/json', 'text/csv']);
    expect(Object.keys(imp.responses['202']?.content['application/json'].schema.properties ?? {})).toEqual(
      expect.arrayContaining(['id', 'state', 'total', 'processed', 'errors']),
    );
    expect(doc.paths['/api/employees/import/{id}']?.get).toBeDefined();
    expect(doc.paths['/api/employees/export']?.get).toBeDefined();
  });

  it('imports 10 000 rows with progress that only goes up, every employee present', async () => {
    const n = 10_000;
    const nips = Array.from({ length: n }, (_, i) => `199202022020${String(100000 + i)}`);
    const csv = [
      'nip,name,unitId,positionClass,baseAmount,startDate',
      ...nips.map(
        (x, i) =>
          `${x},Pegawai ${i},${i % 2 ? 'dinkes' : 'bappeda'},${(i % 17) + 1},${3_000_000 + i},2025-01-01`,
      ),
    ].join('\n');
    const t0 = Date.now();
    const r = await post(csv);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.total).toBe(n);
    const accepted = Date.now() - t0;
    const { job, seen } = await finish(r.body.id);
    const ms = Date.now() - t0;
    expect(job).toMatchObject({ state: 'Done', created: n, failed: 0, processed: n });
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] as number);
    const exported = new Set((await exportCsv()).split('\r\n').map((l) => l.split(',')[0]));
    expect(nips.filter((x) => !exported.has(x))).toEqual([]);
    console.log(
      `${db}: 10 000 rows accepted in ${accepted} ms, done in ${ms} ms; progress seen: ${seen.join(' ')}`,
    );
  });
});
