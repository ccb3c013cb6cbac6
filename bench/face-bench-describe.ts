/**
 * The face benchmark's models and its pass 1: every descriptor model and the plain face-api chain
 * loaded on this thread; each picture located once (engine detector and landmark net), then
 * described by every model in turn, with the same gates for all.
 */
import { alignmentScale, QUALITY_TEMPLATE } from '../face/align.ts';
import { embedFace, FaceAnalyzer, type FrameData } from '../face/analyzer.ts';
import { type Descriptor, mirrorFace } from '../face/descriptor.ts';
import { createDescriptor, type DescriptorKind } from '../face/descriptor-models.ts';
import { DEFAULT_ENGINE_CONFIG } from '../face/engine.ts';
import { decodeImageFile } from '../face/frames/index.ts';
import {
  checkCrop,
  checkDetections,
  checkPose,
  DEFAULT_QUALITY,
  poseFromLandmarks,
  type QualityIssue,
} from '../face/quality.ts';
import { type FaceApiRuntime, loadFaceApi } from '../face/tf-backend.ts';
import { type FaceBenchArgs, type Item, type Log, ms } from './face-bench-setup.ts';
import type { GateRecord } from './face-dump.ts';
import type { GatedSample, Sample } from './face-metrics.ts';

export interface ModelRun {
  kind: DescriptorKind;
  desc: Descriptor;
  samples: (GatedSample & { skipped: boolean })[];
  embedMs: number[];
}

/** TinyFaceDetector 320 -> 68 landmarks -> 128-d descriptor on the whole frame, every frame. */
export interface PlainChain {
  rt: FaceApiRuntime;
  options: InstanceType<FaceApiRuntime['faceapi']['TinyFaceDetectorOptions']>;
  describe(f: FrameData): Promise<Float32Array | undefined>;
  /** Its detector alone; returns its time in ms (the tensor's creation not included). */
  detect(f: FrameData): Promise<number>;
}

/** Loads every model onto this thread's tfjs backend and warms them up. */
export async function loadModels(
  models: readonly DescriptorKind[],
  log: Log,
): Promise<{ analyzer: FaceAnalyzer; runs: ModelRun[] }> {
  const analyzer = await FaceAnalyzer.create(['locate']);
  const runs: ModelRun[] = [];
  for (const kind of models) {
    const t0 = performance.now();
    const desc = await createDescriptor(kind);
    runs.push({ kind, desc, samples: [], embedMs: [] });
    log(`model ${kind}: ${desc.modelId}, ${desc.dim}-d, loaded in ${ms(performance.now() - t0)}`);
  }
  log(`backend: ${analyzer.backend}`);
  await analyzer.warmUp(1);
  for (const r of runs) {
    const n = r.desc.inputSize;
    const face = { data: new Uint8Array(n * n * 3).map((_, i) => (i * 7919) % 251), size: n };
    for (let i = 0; i < 5; i++) await r.desc.compute(face);
  }
  return { analyzer, runs };
}

/** The plain face-api chain (baseline), on this thread. */
export async function loadPlainChain(): Promise<PlainChain> {
  const rt = await loadFaceApi({ nets: ['tinyFaceDetector', 'faceLandmark68Net', 'faceRecognitionNet'] });
  const { faceapi, tf } = rt;
  const options = new faceapi.TinyFaceDetectorOptions({ inputSize: 320 });
  type Input = Parameters<typeof faceapi.detectSingleFace>[0];
  const describe = async (f: FrameData): Promise<Float32Array | undefined> => {
    const t = tf.tensor3d(f.data, [f.height, f.width, 3], 'int32');
    try {
      const r = await faceapi
        .detectSingleFace(t as unknown as Input, options)
        .withFaceLandmarks()
        .withFaceDescriptor();
      return r?.descriptor;
    } finally {
      t.dispose();
    }
  };
  const detect = async (f: FrameData): Promise<number> => {
    const t = tf.tensor3d(f.data, [f.height, f.width, 3], 'int32');
    try {
      const d0 = performance.now();
      await faceapi.detectSingleFace(t as unknown as Input, options);
      return performance.now() - d0;
    } finally {
      t.dispose();
    }
  };
  return { rt, options, describe, detect };
}

export interface PassOne {
  detected: number;
  skipped: number;
  undescribed: number;
  okCount: number;
  refusals: Record<string, number>;
  plainSamples: Sample[];
  plainMissed: { identity: string; n: number }[];
  skippedList: string[];
  /** Per picture: what every gate measured (for bench/face-calibrate.ts --gates and --verbose). */
  gateRecords: GateRecord[];
}

/**
 * Pass 1: locate once, describe with every model (samples go into each run), the plain chain on
 * the same picture first when it runs.
 */
export async function describeAll(
  items: readonly Item[],
  analyzer: FaceAnalyzer,
  runs: ModelRun[],
  plain: PlainChain | undefined,
  args: Pick<FaceBenchArgs, 'skipDetection'>,
): Promise<PassOne> {
  const det = DEFAULT_ENGINE_CONFIG.detector;
  const q = DEFAULT_QUALITY;
  const p: PassOne = {
    detected: 0,
    skipped: 0,
    undescribed: 0,
    okCount: 0,
    refusals: {},
    plainSamples: [],
    plainMissed: [],
    skippedList: [],
    gateRecords: [],
  };
  for (const [idx, it] of items.entries()) {
    if (plain) {
      const pd = await plain.describe(it.frame);
      if (pd) p.plainSamples.push({ identity: it.identity, n: it.n, vector: pd });
      else p.plainMissed.push({ identity: it.identity, n: it.n });
    }
    const loc = args.skipDetection
      ? undefined
      : await analyzer.locate(it.frame, {
          inputSizes: det.inputSizes,
          scoreThreshold: det.scoreThreshold,
          minScore: q.minScore,
        });
    let src: FrameData = it.frame;
    let landmarks = loc?.landmarks;
    let gate: QualityIssue | undefined;
    let detIssue: QualityIssue | undefined;
    let wasSkipped = false;
    if (loc && landmarks) {
      p.detected++;
      const d = checkDetections(loc.faces, it.frame.width, it.frame.height, q);
      detIssue = 'issue' in d ? d.issue : undefined;
      gate = detIssue ?? checkPose(poseFromLandmarks(landmarks), q);
    } else {
      // Detection failed: landmarks on the whole (un-letterboxed) picture, the face filling it.
      const native = await decodeImageFile(it.path);
      if (native.kind !== 'frame') {
        p.undescribed++;
        continue;
      }
      src = native;
      landmarks = await analyzer.landmarks(native, {
        x: 0,
        y: 0,
        width: native.width,
        height: native.height,
      });
      gate = checkPose(poseFromLandmarks(landmarks), q);
      wasSkipped = true;
      p.skipped++;
      p.skippedList.push(`${it.identity}/${it.n + 1}`);
    }
    // Take turns: a different model goes first on each picture.
    for (let j = 0; j < runs.length; j++) {
      const r = runs[(idx + j) % runs.length] as ModelRun;
      const e = await embedFace(r.desc, src, landmarks, { returnCrop: true });
      r.embedMs.push(e.ms.descriptor);
      const mirrored = await r.desc.compute(
        mirrorFace({ data: e.crop as Uint8Array, size: r.desc.inputSize }),
      );
      const failed = gate ?? checkCrop(e.stats, q);
      const code = failed?.code;
      r.samples.push({
        identity: it.identity,
        n: it.n,
        vector: e.descriptor,
        mirrored,
        ok: code === undefined,
        skipped: wasSkipped,
      });
      // The same for every model: same landmarks, crop statistics on the same fixed chip.
      if (j === 0) {
        if (code) p.refusals[code] = (p.refusals[code] ?? 0) + 1;
        else p.okCount++;
        const pose = poseFromLandmarks(landmarks);
        p.gateRecords.push({
          identity: it.identity,
          n: it.n,
          skipped: wasSkipped,
          ...(detIssue ? { detection: detIssue.code } : {}),
          yaw: pose.yaw,
          pitch: pose.pitch,
          rollDeg: pose.rollDeg,
          brightness: e.stats.brightness,
          sharpness: e.stats.sharpness,
          scale: alignmentScale(QUALITY_TEMPLATE, landmarks),
          ...(failed ? { refused: failed } : {}),
        });
      }
    }
  }
  return p;
}
