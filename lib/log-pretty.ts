/**
 * pino's JSON lines turned into lines a person reads on a terminal:
 *
 *   07:42:30.118 INFO  backend: server ready httpPort=8080 mqttUrl=mqtt://127.0.0.1:1883
 *   07:42:31.004 FATAL main: could not start: invalid configuration
 *       problems:
 *         - PORT: Too big: expected number to be <=65535
 *
 * Short values follow the message as key=value; multi-line text, lists, errors and large objects go
 * on indented lines below it, so nothing is shown as a JSON string with `\n` escapes.
 */

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
/** Fields every line carries that the pretty line shows in its own way, or not at all. */
const HIDDEN = new Set(['level', 'time', 'msg', 'ns', 'pid', 'hostname']);
const INLINE_MAX = 100;
const PLAIN = /^[\w.:/@+,=-]*$/;

function clock(time: unknown): string {
  const d = typeof time === 'string' || typeof time === 'number' ? new Date(time) : new Date();
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function indent(text: string, by: string): string[] {
  return text.split('\n').map((l) => `${by}${l}`);
}

type ErrLike = { type?: string; message?: string; stack?: string; code?: unknown };

function isErr(v: unknown): v is ErrLike {
  return typeof v === 'object' && v !== null && 'message' in v && ('stack' in v || 'type' in v);
}

/** `key=value` when it fits on the line, else indented lines. */
function field(key: string, v: unknown): { inline?: string; block?: string[] } {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return { inline: `${key}=${v}` };
  if (typeof v === 'string') {
    if (v.includes('\n')) return { block: [`    ${key}:`, ...indent(v, '      ')] };
    return { inline: `${key}=${PLAIN.test(v) ? v : JSON.stringify(v)}` };
  }
  if (isErr(v)) {
    const code = v.code === undefined ? '' : ` (${String(v.code)})`;
    const text = v.stack ?? `${v.type ?? 'Error'}: ${v.message ?? ''}`;
    return { block: [`    ${key}${code}:`, ...indent(text, '      ')] };
  }
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
    return { block: [`    ${key}:`, ...v.flatMap((x) => indent(x, '      - '))] };
  }
  const json = JSON.stringify(v);
  if (json === undefined) return {};
  if (json.length <= INLINE_MAX) return { inline: `${key}=${json}` };
  return { block: [`    ${key}:`, ...indent(JSON.stringify(v, null, 2), '      ')] };
}

/** One pino JSON line as readable text (ends with a newline). A line that is not JSON passes through. */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = LEVELS[Number(o.level)] ?? String(o.level);
  const head = [clock(o.time), level, o.ns === undefined ? '' : `${String(o.ns)}:`, String(o.msg ?? '')]
    .filter(Boolean)
    .join(' ');
  const inline: string[] = [];
  const block: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (HIDDEN.has(k)) continue;
    const f = field(k, v);
    if (f.inline) inline.push(f.inline);
    if (f.block) block.push(...f.block);
  }
  const first = inline.length > 0 ? `${head} ${inline.join(' ')}` : head;
  return `${[first, ...block].join('\n')}\n`;
}
