import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaceEngine } from '../../face/engine.ts';
import { decodeImageFile, type Frame } from '../../face/frames/index.ts';
import { FacePipeline } from '../../face/pipeline.ts';
import { encodeDescriptor, type GalleryDelta, type GalleryTemplate } from '../../protocol/index.ts';

export async function frameOf(path: string): Promise<Frame> {
  const f = await decodeImageFile(path, { width: 640, height: 480, noUpscale: true });
  if (f.kind !== 'frame') throw new Error(`${path}: ${f.message}`);
  return f;
}

/** A site template (as the backend would serve it) enrolled from these pictures with the real engine. */
export async function enrollTemplate(
  engine: FaceEngine,
  person: { templateId: string; employeeId: string; name: string },
  pictures: string[],
): Promise<GalleryTemplate> {
  const p = new FacePipeline(engine);
  const r = await p.enroll(person.employeeId, await Promise.all(pictures.map(frameOf)), false);
  if (!r.template) throw new Error(`${person.name}: no picture passed the gates`);
  return { ...person, modelId: r.template.modelId, descriptor: encodeDescriptor(r.template.vector) };
}

/**
 * The backend's gallery endpoint, faked: versions of the site gallery, deltas computed between
 * them, HTTP Basic checked against the site's terminals' credentials.
 */
export class FakeGalleryServer {
  private readonly versions = new Map<number, Map<string, GalleryTemplate>>();
  latest = 0;
  readonly requests: Array<{ since: string | null; auth: string | undefined; status: number }> = [];
  /** Answer every request with this instead (e.g. 503, or a malformed body). */
  answerWith: { status: number; body: unknown } | undefined;
  private server: Server | undefined;
  port = 0;

  constructor(
    readonly siteId: string,
    readonly modelId: string,
    private readonly creds: Array<{ id: string; secret: string }>,
  ) {
    this.versions.set(0, new Map());
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Publishes a new gallery version: the previous one plus `upserts`, minus `deletes`. */
  publish(upserts: GalleryTemplate[], deletes: string[] = []): number {
    const next = new Map(this.versions.get(this.latest));
    for (const t of upserts) next.set(t.templateId, t);
    for (const id of deletes) next.delete(id);
    this.latest++;
    this.versions.set(this.latest, next);
    return this.latest;
  }

  delta(since: number): GalleryDelta {
    const now = this.versions.get(this.latest) ?? new Map<string, GalleryTemplate>();
    const base = since > 0 ? this.versions.get(since) : undefined;
    if (!base) {
      return {
        siteId: this.siteId,
        version: this.latest,
        modelId: this.modelId,
        full: true,
        upserts: [...now.values()],
        deletes: [],
      };
    }
    const upserts = [...now.values()].filter(
      (t) => JSON.stringify(base.get(t.templateId)) !== JSON.stringify(t),
    );
    const deletes = [...base.keys()].filter((id) => !now.has(id));
    return {
      siteId: this.siteId,
      version: this.latest,
      modelId: this.modelId,
      full: false,
      upserts,
      deletes,
    };
  }

  async start(port = 0): Promise<void> {
    const accepted = new Set(
      this.creds.map((c) => `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`),
    );
    this.server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const auth = req.headers.authorization;
      const answer = (status: number, body?: unknown) => {
        this.requests.push({ since: u.searchParams.get('since'), auth, status });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      if (this.answerWith) return answer(this.answerWith.status, this.answerWith.body);
      if (u.pathname !== '/api/kiosk/gallery')
        return answer(404, { error: { code: 'NOT_FOUND', message: u.pathname } });
      if (!auth || !accepted.has(auth))
        return answer(401, { error: { code: 'UNAUTHORIZED', message: 'bad credentials' } });
      answer(200, this.delta(Number(u.searchParams.get('since') ?? '0')));
    });
    const server = this.server;
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}
