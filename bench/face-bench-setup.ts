/** The face benchmark's command line, its log and number formats, and the data set loader. */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DESCRIPTOR_KINDS, type DescriptorKind, isDescriptorKind } from '../face/descriptor-models.ts';
import { DEFAULT_ENGINE_CONFIG, type DeepPartial, type FaceEngineConfig } from '../face/engine.ts';
import { decodeImageFile, type Frame, listImages } from '../face/frames/index.ts';

export interface FaceBenchArgs {
  dataDir: string;
  models: DescriptorKind[];
  json: boolean;
  /** Pipeline workers for the timed passes: the engine's default (1 under `taskset -c 0`) unless given. */
  workers: 1 | 2;
  /** Region prior's age limit for the timed passes (0 with --no-prior). */
  priorMaxAgeMs: number;
  limit?: number;
  latency: 'default' | 'all' | 'none';
  sequences: 'default' | 'none';
  /** Seed of the sequence pass's motion. */
  seed: number;
  /** Photos shown in turn in one sequence (fewer if the person has fewer probe photos). */
  sequencePhotos: number;
  /** Sequence pass: the same pipeline with engine settings changed, timed beside ours (`--variant name=JSON`). */
  variants: { name: string; engine: DeepPartial<FaceEngineConfig> }[];
  baseline: boolean;
  searchQueries: number;
  dump?: string;
  skipDetection: boolean;
  verbose: boolean;
}

/** `name={"tracking":{"shiftMaxResidual":0.3}}`: a named set of engine settings. */
function parseVariant(v: string): { name: string; engine: DeepPartial<FaceEngineConfig> } {
  const eq = v.indexOf('=');
  if (eq <= 0) throw new Error(`--variant must be name=JSON, not '${v}'`);
  return { name: v.slice(0, eq), engine: JSON.parse(v.slice(eq + 1)) as DeepPartial<FaceEngineConfig> };
}

export function parseFaceBenchArgs(argv: string[] = process.argv.slice(2)): FaceBenchArgs {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string', default: '../shared/faces/dev' },
      models: { type: 'string', default: DESCRIPTOR_KINDS.join(',') },
      json: { type: 'boolean', default: false },
      workers: { type: 'string' },
      'no-prior': { type: 'boolean', default: false },
      limit: { type: 'string' },
      latency: { type: 'string', default: 'default' },
      sequences: { type: 'string', default: 'default' },
      seed: { type: 'string', default: '1' },
      'sequence-photos': { type: 'string', default: '3' },
      variant: { type: 'string', multiple: true, default: [] },
      'no-baseline': { type: 'boolean', default: false },
      'search-queries': { type: 'string', default: '300' },
      dump: { type: 'string' },
      'skip-detection': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const kinds = (a.models as string).split(',').map((s) => s.trim());
  for (const k of kinds) if (!isDescriptorKind(k)) throw new Error(`unknown model '${k}'`);
  const latency = a.latency as string;
  if (latency !== 'default' && latency !== 'all' && latency !== 'none') {
    throw new Error(`--latency must be default, all or none, not '${latency}'`);
  }
  const sequences = a.sequences as string;
  if (sequences !== 'default' && sequences !== 'none') {
    throw new Error(`--sequences must be default or none, not '${sequences}'`);
  }
  return {
    dataDir: resolve(a.data as string),
    models: kinds as DescriptorKind[],
    json: a.json as boolean,
    // Default: the engine's own choice (2 workers with two cores, 1 under `taskset -c 0`).
    workers: a.workers === undefined ? DEFAULT_ENGINE_CONFIG.workers : Number(a.workers) === 1 ? 1 : 2,
    priorMaxAgeMs: a['no-prior'] ? 0 : DEFAULT_ENGINE_CONFIG.tracking.priorMaxAgeMs,
    ...(a.limit !== undefined ? { limit: Number(a.limit) } : {}),
    latency,
    sequences,
    seed: Number(a.seed),
    sequencePhotos: Math.max(1, Number(a['sequence-photos'])),
    variants: (a.variant as string[]).map(parseVariant),
    baseline: !a['no-baseline'],
    searchQueries: Number(a['search-queries']),
    ...(a.dump !== undefined ? { dump: a.dump } : {}),
    skipDetection: a['skip-detection'] as boolean,
    verbose: a.verbose as boolean,
  };
}

export type Log = (s: string) => void;

/** Human-readable lines: stdout, or stderr with --json so the JSON stays the last stdout line. */
export function makeLog(json: boolean): Log {
  return (s: string) => {
    if (!json) console.log(s);
    else process.stderr.write(`${s}\n`);
  };
}

export const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
export const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '-');

export interface Item {
  identity: string;
  n: number;
  path: string;
  frame: Frame;
}

/** Every picture of `<identity>/<n>.jpg` as a 640x480 frame (letterboxed, never enlarged). */
export async function loadData(
  dir: string,
  limit?: number,
): Promise<{ items: Item[]; decodeErrors: string[] }> {
  const ids = readdirSync(dir)
    .filter((d) => !d.startsWith('_') && !d.startsWith('.') && statSync(join(dir, d)).isDirectory())
    .sort();
  const items: Item[] = [];
  const decodeErrors: string[] = [];
  for (const identity of ids) {
    const files = await listImages(join(dir, identity));
    const decoded = await Promise.all(
      files.map((path) => decodeImageFile(path, { width: 640, height: 480, noUpscale: true })),
    );
    decoded.forEach((f, n) => {
      if (f.kind === 'frame') items.push({ identity, n, path: files[n] as string, frame: f });
      else decodeErrors.push(`${files[n]}: ${f.message}`);
    });
    if (limit !== undefined && items.length >= limit) break;
  }
  return { items, decodeErrors };
}
