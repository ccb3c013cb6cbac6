/**
 * Frame in, decision out: engine (workers) -> gallery 1:N search -> recognizer state machine.
 * Also enrollment. The kiosk's PunchSource adapter is terminal/face-punch-source.ts.
 */
import type { KeptFace } from './align.ts';
import type { FrameData } from './analyzer.ts';
import { recognizerConfigFor } from './descriptor-models.ts';
import {
  type AnalyzeOptions,
  type DeepPartial,
  type FaceAnalysis,
  FaceEngine,
  type FaceEngineConfig,
} from './engine.ts';
import { Gallery, meanTemplate, type Template } from './gallery.ts';
import type { QualityIssue } from './quality.ts';
import {
  type Decision,
  type FrameInput,
  judgeMatch,
  type MatchVerdict,
  Recognizer,
  type RecognizerConfig,
} from './recognizer.ts';

export interface FacePipelineConfig {
  engine: DeepPartial<FaceEngineConfig>;
  recognizer: RecognizerConfig;
  /** Descriptors averaged into one enrollment template. */
  enrollImages: number;
}

export interface ProcessResult {
  analysis: FaceAnalysis;
  verdict?: MatchVerdict;
  decision: Decision;
  /** Frame in -> decision out, ms (analysis + search + state machine). */
  ms: number;
  searchMs: number;
}

export interface EnrollResult {
  template?: Template;
  used: number;
  refused: { index: number; issue?: QualityIssue }[];
  /** The model-neutral crops of the pictures used: keep them to re-derive the template for another model (descriptor-migrate.ts). */
  crops: KeptFace[];
}

export interface PipelineStatus {
  modelId: string;
  backend: string;
  workers: number;
  templates: number;
  people: number;
}

export class FacePipeline {
  readonly recognizer: Recognizer;

  constructor(
    readonly engine: FaceEngine,
    readonly gallery: Gallery = new Gallery(engine.modelId, engine.info.descriptor.dim),
    /** Default: DEFAULT_RECOGNIZER with the engine's model's threshold and margin. */
    recognizerConfig: RecognizerConfig = recognizerConfigFor(engine.modelId),
    private readonly enrollImages = 3,
  ) {
    if (gallery.modelId !== engine.modelId) {
      throw new Error(
        `gallery holds '${gallery.modelId}' templates but the engine makes '${engine.modelId}'`,
      );
    }
    this.recognizer = new Recognizer(recognizerConfig);
  }

  /** Pictures averaged into one enrollment template. */
  get enrollImagesCount(): number {
    return this.enrollImages;
  }

  static async create(cfg: Partial<FacePipelineConfig> = {}): Promise<FacePipeline> {
    const engine = await FaceEngine.create(cfg.engine ?? {});
    return new FacePipeline(engine, undefined, cfg.recognizer, cfg.enrollImages ?? 3);
  }

  /** Analyses one frame and advances the recognizer. */
  async process(frame: FrameData & { ts: number }, opts: AnalyzeOptions = {}): Promise<ProcessResult> {
    const t0 = performance.now();
    const analysis = await this.engine.analyze(frame, opts);
    let input: FrameInput;
    let verdict: MatchVerdict | undefined;
    let searchMs = 0;
    if (analysis.ok && analysis.descriptor) {
      const s0 = performance.now();
      const found = this.gallery.search(analysis.descriptor, analysis.modelId);
      searchMs = performance.now() - s0;
      verdict = judgeMatch(found, this.recognizer.config);
      input = { ts: frame.ts, kind: 'verdict', verdict };
    } else if (analysis.issue && analysis.issue.code !== 'NO_FACE') {
      input = { ts: frame.ts, kind: 'refused', issue: analysis.issue };
    } else input = { ts: frame.ts, kind: 'no-face' };
    const decision = this.recognizer.step(input);
    return { analysis, ...(verdict ? { verdict } : {}), decision, ms: performance.now() - t0, searchMs };
  }

  /**
   * Builds one template from up to `enrollImages` good pictures (each analysed on its own, all
   * gates on): the normalised mean of their descriptors and of their mirrored faces' descriptors.
   * Adds it to the gallery. Refused pictures are listed with their reason.
   */
  async enroll(personId: string, frames: readonly FrameData[], addToGallery = true): Promise<EnrollResult> {
    const vectors: Float32Array[] = [];
    const mirroredVectors: Float32Array[] = [];
    const refused: EnrollResult['refused'] = [];
    const crops: KeptFace[] = [];
    for (let i = 0; i < frames.length && vectors.length < this.enrollImages; i++) {
      this.engine.resetTracking();
      const a = await this.engine.analyze(frames[i] as FrameData, { mirror: true, keepCrop: true });
      if (a.ok && a.descriptor) {
        vectors.push(a.descriptor);
        if (a.mirrored) mirroredVectors.push(a.mirrored);
        if (a.kept) crops.push(a.kept);
      } else refused.push({ index: i, ...(a.issue ? { issue: a.issue } : {}) });
    }
    this.engine.resetTracking();
    if (vectors.length === 0) return { used: 0, refused, crops };
    const template = meanTemplate(personId, this.engine.modelId, [...vectors, ...mirroredVectors]);
    if (addToGallery) this.gallery.add(template);
    return { template, used: vectors.length, refused, crops };
  }

  status(): PipelineStatus {
    return {
      modelId: this.engine.modelId,
      backend: this.engine.info.backend,
      workers: this.engine.info.workers,
      templates: this.gallery.size,
      people: this.gallery.people,
    };
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}
