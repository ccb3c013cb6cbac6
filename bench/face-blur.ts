/**
 * How much blur the default descriptor tolerates, as measured by the BLURRY gate's own number
 * (variance of the Laplacian on the fixed quality chip): the sharpness limit is set from this.
 *
 *   npm run bench:face -- --data ../shared/faces/dev-asia --models mfn512 --latency none --dump /tmp/asia.json
 *   npx tsx bench/face-blur.ts --dump /tmp/asia.json [--every 2]
 *
 * Every `--every`-th gate-passing picture of the dump's data set (detector found it) is blurred
 * (Gaussian, sigma 0-4 frame pixels, the whole 640x480 frame) and described again with the
 * landmarks of the sharp frame. Genuine probes (pictures not used for enrollment) are compared with
 * their identity's template (first 3 gate-passing pictures with mirrored crops, as the bench);
 * every picture is also compared with the other identities' templates (a stranger). Reported per
 * sharpness bin: genuine probes accepted below the shipped threshold, strangers below it.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { embedFace, FaceAnalyzer, type FrameData } from '../face/analyzer.ts';
import { euclidean } from '../face/descriptor.ts';
import { createDescriptor, DESCRIPTOR_MODELS } from '../face/descriptor-models.ts';
import { DEFAULT_ENGINE_CONFIG } from '../face/engine.ts';
import { decodeImageFile, listImages } from '../face/frames/index.ts';
import { meanTemplate } from '../face/gallery.ts';
import { DEFAULT_QUALITY } from '../face/quality.ts';
import { readFaceDump } from './face-dump.ts';

const { values: args } = parseArgs({
  options: { dump: { type: 'string' }, every: { type: 'string', default: '2' } },
});

/** Separable Gaussian blur of packed RGB. */
function blur(f: FrameData, sigma: number): FrameData {
  if (sigma === 0) return f;
  const r = Math.ceil(3 * sigma);
  const k: number[] = [];
  let ks = 0;
  for (let i = -r; i <= r; i++) {
    const w = Math.exp(-(i * i) / (2 * sigma * sigma));
    k.push(w);
    ks += w;
  }
  const { width: w, height: h } = f;
  const tmp = new Float32Array(w * h * 3);
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let i = -r; i <= r; i++) {
          const xx = Math.min(w - 1, Math.max(0, x + i));
          s += (k[i + r] as number) * (f.data[(y * w + xx) * 3 + c] as number);
        }
        tmp[(y * w + x) * 3 + c] = s / ks;
      }
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let i = -r; i <= r; i++) {
          const yy = Math.min(h - 1, Math.max(0, y + i));
          s += (k[i + r] as number) * (tmp[(yy * w + x) * 3 + c] as number);
        }
        out[(y * w + x) * 3 + c] = s / ks + 0.5;
      }
    }
  }
  return { ...f, data: out };
}

async function main(): Promise<void> {
  if (!args.dump) throw new Error('--dump FILE (from bench:face --dump) is required');
  const dump = readFaceDump(args.dump);
  const samples = dump.models.mfn512?.samples;
  if (!samples) throw new Error('the dump has no mfn512 descriptors');
  const threshold = DESCRIPTOR_MODELS.mfn512.operatingPoint.threshold;
  const ids = [...new Set(samples.map((s) => s.identity))];
  const templates = new Map<string, Float32Array>();
  const enrolled = new Set<string>();
  for (const id of ids) {
    const use = samples.filter((s) => s.identity === id && s.ok).slice(0, dump.k);
    for (const s of use) enrolled.add(`${id}/${s.n}`);
    const vecs = use.flatMap((s) => [Float32Array.from(s.vector), Float32Array.from(s.mirrored)]);
    if (vecs.length > 0) templates.set(id, meanTemplate(id, 'x', vecs).vector);
  }
  const analyzer = await FaceAnalyzer.create(['locate']);
  const desc = await createDescriptor('mfn512');
  const det = DEFAULT_ENGINE_CONFIG.detector;
  const sigmas = [0, 1, 1.5, 2, 2.5, 3, 4];
  const rows: { sigma: number; sharpness: number; genuine: boolean; own: number; other: number }[] = [];
  let count = 0;
  for (const id of ids) {
    const own = templates.get(id);
    if (!own) continue;
    const files = await listImages(join(dump.data, id));
    for (const [n, file] of files.entries()) {
      const s = samples.find((x) => x.identity === id && x.n === n);
      if (!s?.ok || s.skipped || count++ % Number(args.every) !== 0) continue;
      const frame = await decodeImageFile(file, { width: 640, height: 480, noUpscale: true });
      if (frame.kind !== 'frame') continue;
      const loc = await analyzer.locate(frame, {
        inputSizes: det.inputSizes,
        scoreThreshold: det.scoreThreshold,
        minScore: DEFAULT_QUALITY.minScore,
      });
      if (!loc.landmarks) continue;
      for (const sigma of sigmas) {
        const e = await embedFace(desc, blur(frame, sigma), loc.landmarks);
        let other = Number.POSITIVE_INFINITY;
        for (const [tid, t] of templates) if (tid !== id) other = Math.min(other, euclidean(e.descriptor, t));
        rows.push({
          sigma,
          sharpness: e.stats.sharpness,
          genuine: !enrolled.has(`${id}/${n}`),
          own: euclidean(e.descriptor, own),
          other,
        });
      }
    }
  }
  desc.dispose();
  console.log(
    `${dump.data}, mfn512, d < ${threshold}: ${rows.length / sigmas.length} pictures x ${sigmas.length} blurs`,
  );
  console.log('sharpness   frames  genuine accepted  strangers accepted');
  const bins = [0, 5, 8, 10, 12, 15, 20, 30, 50, Number.POSITIVE_INFINITY];
  for (let i = 0; i + 1 < bins.length; i++) {
    const lo = bins[i] as number;
    const hi = bins[i + 1] as number;
    const r = rows.filter((x) => x.sharpness >= lo && x.sharpness < hi);
    if (r.length === 0) continue;
    const g = r.filter((x) => x.genuine);
    console.log(
      `${`${lo}-${hi}`.padEnd(11)} ${String(r.length).padStart(6)}  ` +
        `${`${g.filter((x) => x.own < threshold).length}/${g.length}`.padStart(16)}  ` +
        `${`${r.filter((x) => x.other < threshold).length}/${r.length}`.padStart(18)}`,
    );
  }
  for (const sigma of sigmas) {
    const r = rows.filter((x) => x.sigma === sigma);
    const g = r.filter((x) => x.genuine);
    const sh = r.map((x) => x.sharpness).sort((a, b) => a - b);
    console.log(
      `sigma ${sigma}: sharpness p50 ${(sh[Math.floor(sh.length / 2)] ?? 0).toFixed(1)}, ` +
        `genuine accepted ${g.filter((x) => x.own < threshold).length}/${g.length}, ` +
        `strangers accepted ${r.filter((x) => x.other < threshold).length}/${r.length}`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
