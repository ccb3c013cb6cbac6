/**
 * A tiny inference graph for convolutional embedding nets, run with tfjs ops (so on the same WASM
 * or native backend as face-api, in the same thread). The ONNX and TFLite readers next to this
 * file translate a model file into this form: NHWC activations, HWIO / depthwise filters, every
 * constant already in tfjs layout. Only what face embedding nets (MobileFaceNet family) use is
 * supported; anything else is refused when the file is read, never at inference time.
 */
import type * as TF from '@tensorflow/tfjs';

export type Activation = 'linear' | 'relu' | 'relu6' | 'prelu';
/** Symmetric padding in pixels, TF 'same' / 'valid', or explicit [[top, bottom], [left, right]]. */
export type Padding = 'same' | 'valid' | number | [[number, number], [number, number]];

export interface ConvNode {
  kind: 'conv';
  input: string;
  output: string;
  /** Regular: [kh, kw, in, out]. Depthwise: [kh, kw, channels, multiplier]. */
  filter: Float32Array;
  filterShape: [number, number, number, number];
  depthwise: boolean;
  bias?: Float32Array;
  strides: [number, number];
  dilations: [number, number];
  pad: Padding;
  activation: Activation;
  /** PReLU slopes, one per output channel (activation 'prelu'). */
  alpha?: Float32Array;
}

export interface UnaryNode {
  kind: 'relu' | 'relu6' | 'abs' | 'prelu';
  input: string;
  output: string;
  /** PReLU slopes (per channel, last axis). */
  alpha?: Float32Array;
}

export interface BinaryNode {
  kind: 'add' | 'sub' | 'mul';
  /** Activation or constant names. */
  a: string;
  b: string;
  output: string;
}

export interface ReshapeNode {
  kind: 'reshape';
  input: string;
  output: string;
  /** Target shape (-1 allowed once). */
  shape: number[];
  /**
   * The source model flattened an NCHW tensor: the same as flattening NHWC only when height and
   * width are 1, which is checked at run time (an embedding head after global pooling).
   */
  unitSpatial?: boolean;
}

export type GraphNode = ConvNode | UnaryNode | BinaryNode | ReshapeNode;

export interface Constant {
  data: Float32Array;
  shape: number[];
}

/**
 * A constant operand of an elementwise node: NCHW broadcast shapes ([C,1,1], [1,C,1,1]) and NHWC
 * ones ([1,1,1,C]) alike become a per-channel [C]; scalars stay scalars. `what` names it in the error.
 */
export function perChannelConstant(data: Float32Array, dims: readonly number[], what: string): Constant {
  const nonUnit = dims.filter((d) => d !== 1);
  if (nonUnit.length > 1) throw new Error(`${what} is not per-channel`);
  return { data, shape: nonUnit.length ? [nonUnit[0] as number] : [] };
}

export interface Graph {
  /** Name of the NHWC float input. */
  input: string;
  output: string;
  nodes: GraphNode[];
  /** Constants used by elementwise nodes (broadcast NHWC-style: per channel = last axis). */
  constants: Map<string, Constant>;
}

/** How many nodes (and the graph output) read each value. */
function consumers(g: Graph): Map<string, number> {
  const m = new Map<string, number>();
  const use = (n: string) => m.set(n, (m.get(n) ?? 0) + 1);
  for (const n of g.nodes) {
    if ('a' in n) {
      use(n.a);
      use(n.b);
    } else use(n.input);
  }
  use(g.output);
  return m;
}

/**
 * Rewrites that change no result, only the number of kernels run:
 *  - `relu(x) + c * (x - |x|)` (TensorFlow's PReLU as exported by TOCO) -> `prelu(x, 2c)`;
 *  - a convolution followed by its only reader, a ReLU / ReLU6 / PReLU -> one fused convolution.
 */
export function optimizeGraph(g: Graph): Graph {
  let nodes = [...g.nodes];
  let uses = consumers({ ...g, nodes });
  const producer = (name: string) => nodes.find((n) => n.output === name);
  // 1. PReLU pattern.
  for (const add of nodes.filter((n): n is BinaryNode => n.kind === 'add')) {
    for (const [rName, mName] of [
      [add.a, add.b],
      [add.b, add.a],
    ] as const) {
      const r = producer(rName);
      const m = producer(mName);
      if (r?.kind !== 'relu' || m?.kind !== 'mul') continue;
      const cName = g.constants.has(m.a) ? m.a : g.constants.has(m.b) ? m.b : undefined;
      const sName = cName === m.a ? m.b : m.a;
      const s = producer(sName);
      if (!cName || s?.kind !== 'sub' || s.a !== r.input) continue;
      const abs = producer(s.b);
      if (abs?.kind !== 'abs' || abs.input !== r.input) continue;
      const single = [r.output, m.output, s.output, abs.output].every((o) => uses.get(o) === 1);
      if (!single) continue;
      const c = g.constants.get(cName) as Constant;
      const alpha = Float32Array.from(c.data, (v) => 2 * v);
      const prelu: UnaryNode = { kind: 'prelu', input: r.input, output: add.output, alpha };
      const drop = new Set<GraphNode>([r, m, s, abs]);
      nodes = nodes.filter((n) => !drop.has(n)).map((n) => (n === add ? prelu : n));
      break;
    }
  }
  // 2. Activation into the convolution before it.
  uses = consumers({ ...g, nodes });
  const out: GraphNode[] = [];
  for (const n of nodes) {
    const prev = out[out.length - 1];
    if (
      (n.kind === 'relu' || n.kind === 'relu6' || n.kind === 'prelu') &&
      prev?.kind === 'conv' &&
      prev.activation === 'linear' &&
      prev.output === n.input &&
      uses.get(prev.output) === 1
    ) {
      out[out.length - 1] = {
        ...prev,
        output: n.output,
        activation: n.kind,
        ...(n.alpha ? { alpha: n.alpha } : {}),
      };
    } else out.push(n);
  }
  const constants = new Map([...g.constants].filter(([name]) => out.some((n) => readsConst(n, name))));
  return { ...g, nodes: out, constants };
}

function readsConst(n: GraphNode, name: string): boolean {
  return 'a' in n && (n.a === name || n.b === name);
}

type Step = (env: Map<string, TF.Tensor>) => void;

/** A graph bound to tfjs tensors: weights uploaded once, `run` inside `tf.tidy`. */
export class TfGraph {
  private readonly steps: Step[] = [];
  private readonly owned: TF.Tensor[] = [];
  readonly kernels: number;

  constructor(
    private readonly tf: typeof TF,
    readonly graph: Graph,
  ) {
    const keep = <T extends TF.Tensor>(t: T): T => {
      this.owned.push(t);
      return t;
    };
    const consts = new Map<string, TF.Tensor>();
    for (const [name, c] of graph.constants) consts.set(name, keep(tf.tensor(c.data, c.shape, 'float32')));
    const get = (env: Map<string, TF.Tensor>, name: string): TF.Tensor => {
      const t = env.get(name) ?? consts.get(name);
      if (!t) throw new Error(`graph value '${name}' is not computed yet`);
      return t;
    };
    for (const n of graph.nodes) {
      if (n.kind === 'conv') {
        const filter = keep(tf.tensor4d(n.filter, n.filterShape, 'float32'));
        const bias = n.bias ? keep(tf.tensor1d(n.bias, 'float32')) : undefined;
        const alpha = n.alpha ? keep(tf.tensor1d(n.alpha, 'float32')) : undefined;
        const explicit = Array.isArray(n.pad) ? n.pad : undefined;
        const pad = explicit ? 'valid' : (n.pad as 'same' | 'valid' | number);
        this.steps.push((env) => {
          let x = get(env, n.input) as TF.Tensor4D;
          if (explicit) x = tf.pad(x, [[0, 0], explicit[0], explicit[1], [0, 0]]);
          const args = {
            x,
            filter: filter as TF.Tensor4D,
            strides: n.strides,
            pad,
            dilations: n.dilations,
            ...(bias ? { bias } : {}),
            activation: n.activation,
            ...(alpha ? { preluActivationWeights: alpha } : {}),
          };
          env.set(n.output, n.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args));
        });
      } else if (n.kind === 'prelu') {
        const alpha = keep(tf.tensor1d(n.alpha ?? new Float32Array(), 'float32'));
        this.steps.push((env) => env.set(n.output, tf.prelu(get(env, n.input), alpha)));
      } else if (n.kind === 'relu' || n.kind === 'relu6' || n.kind === 'abs') {
        const f = n.kind === 'relu' ? tf.relu : n.kind === 'relu6' ? tf.relu6 : tf.abs;
        this.steps.push((env) => env.set(n.output, f(get(env, n.input))));
      } else if (n.kind === 'reshape') {
        this.steps.push((env) => {
          const x = get(env, n.input);
          if (n.unitSpatial && x.rank === 4 && (x.shape[1] !== 1 || x.shape[2] !== 1)) {
            throw new Error(`reshape '${n.output}': NCHW flatten of a ${x.shape.join('x')} NHWC tensor`);
          }
          env.set(n.output, tf.reshape(x, n.shape));
        });
      } else if ('a' in n) {
        const f = n.kind === 'add' ? tf.add : n.kind === 'sub' ? tf.sub : tf.mul;
        this.steps.push((env) => env.set(n.output, f(get(env, n.a), get(env, n.b))));
      }
    }
    this.kernels = this.steps.length;
  }

  /** Runs the graph on an NHWC float batch; returns the output (the caller disposes it). */
  run(input: TF.Tensor4D): TF.Tensor {
    return this.tf.tidy(() => {
      const env = new Map<string, TF.Tensor>([[this.graph.input, input]]);
      for (const step of this.steps) step(env);
      const out = env.get(this.graph.output);
      if (!out) throw new Error(`graph output '${this.graph.output}' was never computed`);
      return out;
    });
  }

  dispose(): void {
    for (const t of this.owned) t.dispose();
    this.owned.length = 0;
  }
}
