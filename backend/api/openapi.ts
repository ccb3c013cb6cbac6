import { z } from 'zod';

type Doc = {
  method: string;
  path: string;
  summary: string;
  body?: z.ZodType;
  /** A non-JSON body (e.g. text/csv), beside or instead of `body`. */
  textBody?: { contentType: string; schema: z.ZodType } | undefined;
  query?: z.ZodType;
  /** The success answer's schema and status (default 200). */
  response?: z.ZodType | undefined;
  status?: number | undefined;
  auth: boolean;
};

/** Routes describe themselves here; `/api/openapi.json` is built from the same zod schemas that validate. */
export class OpenApiRegistry {
  private readonly docs: Doc[] = [];
  add(d: Doc): void {
    this.docs.push(d);
  }

  document(version: string): object {
    const paths: Record<string, Record<string, object>> = {};
    for (const d of this.docs) {
      const path = d.path.replace(/:(\w+)/g, '{$1}');
      const ok = d.response
        ? { description: 'OK', content: { 'application/json': { schema: z.toJSONSchema(d.response) } } }
        : { description: 'OK' };
      const op: Record<string, unknown> = {
        summary: d.summary,
        responses: {
          [String(d.status ?? 200)]: ok,
          default: { description: 'Error: {error:{code,message}}' },
        },
      };
      if (d.auth) op.security = [{ bearer: [] }];
      const content: Record<string, object> = {};
      if (d.body) content['application/json'] = { schema: z.toJSONSchema(d.body, { io: 'input' }) };
      if (d.textBody) content[d.textBody.contentType] = { schema: z.toJSONSchema(d.textBody.schema) };
      if (d.body || d.textBody) op.requestBody = { content };
      if (d.query) {
        const js = z.toJSONSchema(d.query, { io: 'input' }) as {
          properties?: Record<string, object>;
          required?: string[];
        };
        op.parameters = Object.entries(js.properties ?? {}).map(([name, schema]) => ({
          name,
          in: 'query',
          required: js.required?.includes(name) ?? false,
          schema,
        }));
      }
      paths[path] ??= {};
      (paths[path] as Record<string, object>)[d.method] = op;
    }
    return {
      openapi: '3.1.0',
      info: { title: 'Absensi ASN API', version },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      paths,
    };
  }
}
