import type * as TF from '@tensorflow/tfjs';
import { type AlignmentTemplate, dlibTemplate } from './align.ts';
import { type AlignedFace, type Descriptor, l2normalize } from './descriptor.ts';
import { type FaceApiRuntime, loadFaceApi, modelWeightsHash } from './tf-backend.ts';

/**
 * face-api's 128-d descriptor (a port of dlib's ResNet face recognition model), fed dlib-style
 * 150x150 chips aligned on 51 landmarks, the input it was trained on, instead of face-api's own
 * axis-aligned landmark box.
 */
export class FaceApiDescriptor implements Descriptor {
  readonly kind = 'faceapi';
  readonly dim = 128;
  readonly inputSize: number;
  readonly alignment: AlignmentTemplate;
  readonly metric = 'euclidean' as const;
  readonly modelId: string;

  private constructor(
    private readonly rt: FaceApiRuntime,
    alignment: AlignmentTemplate,
  ) {
    this.alignment = alignment;
    this.inputSize = alignment.size;
    const hash = modelWeightsHash('faceRecognitionNet', rt.modelDir);
    this.modelId = `faceapi-resnet128@${rt.faceApiVersion}#${hash}/${alignment.id}`;
  }

  static async create(
    alignment: AlignmentTemplate = dlibTemplate(150, 0.25),
    opts: { prefer?: 'auto' | 'wasm' } = {},
  ): Promise<FaceApiDescriptor> {
    const rt = await loadFaceApi({ prefer: opts.prefer ?? 'auto', nets: ['faceRecognitionNet'] });
    return new FaceApiDescriptor(rt, alignment);
  }

  async compute(face: AlignedFace): Promise<Float32Array> {
    if (face.size !== this.inputSize) throw new Error(`expected ${this.inputSize}px crop, got ${face.size}`);
    const { tf, faceapi } = this.rt;
    const net = faceapi.nets.faceRecognitionNet;
    // forwardInput on our own batch tensor: the net ends in a global mean, so any input size
    // works, and face-api's NetInput path (which always resizes to 150) is skipped.
    const out = tf.tidy(() => {
      const batch = tf.tensor4d(face.data, [1, face.size, face.size, 3], 'int32');
      const fakeInput = { toBatchTensor: () => batch } as unknown as Parameters<typeof net.forwardInput>[0];
      return net.forwardInput(fakeInput) as unknown as TF.Tensor2D;
    });
    try {
      const v = (await out.data()) as Float32Array;
      return l2normalize(Float32Array.from(v));
    } finally {
      out.dispose();
    }
  }

  dispose(): void {}
}
