/**
 * A minimal TFLite reader: walks the FlatBuffer (schema v3, no flatbuffers package) and translates
 * a float32 convolutional net into our NHWC graph (graph.ts). Supported builtin operators: ADD,
 * SUB, MUL, ABS, RELU, RELU6, PRELU, CONV_2D, DEPTHWISE_CONV_2D, RESHAPE. Quantised tensors and any
 * other operator throw when the file is read.
 */
import {
  type Activation,
  type BinaryNode,
  type Constant,
  type Graph,
  type GraphNode,
  perChannelConstant,
} from './graph.ts';

/** Builtin operator codes (tensorflow/lite/schema/schema.fbs). */
const OP = {
  ADD: 0,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  MUL: 18,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  SUB: 41,
  PRELU: 54,
  ABS: 101,
} as const;
const OP_NAME = new Map<number, string>(Object.entries(OP).map(([k, v]) => [v, k]));

/** A FlatBuffer table: field accessors by index. */
class Table {
  constructor(
    private readonly v: DataView,
    readonly pos: number,
  ) {}

  private off(i: number): number {
    const vt = this.pos - this.v.getInt32(this.pos, true);
    const len = this.v.getUint16(vt, true);
    return 4 + 2 * i < len ? this.v.getUint16(vt + 4 + 2 * i, true) : 0;
  }

  u8(i: number, d = 0): number {
    const o = this.off(i);
    return o ? this.v.getUint8(this.pos + o) : d;
  }

  i32(i: number, d = 0): number {
    const o = this.off(i);
    return o ? this.v.getInt32(this.pos + o, true) : d;
  }

  u32(i: number, d = 0): number {
    const o = this.off(i);
    return o ? this.v.getUint32(this.pos + o, true) : d;
  }

  table(i: number): Table | undefined {
    const o = this.off(i);
    if (!o) return undefined;
    const p = this.pos + o;
    return new Table(this.v, p + this.v.getUint32(p, true));
  }

  /** Start (after the length) and length of a vector field. */
  vector(i: number): { start: number; length: number } | undefined {
    const o = this.off(i);
    if (!o) return undefined;
    const p = this.pos + o;
    const at = p + this.v.getUint32(p, true);
    return { start: at + 4, length: this.v.getUint32(at, true) };
  }

  tables(i: number): Table[] {
    const vec = this.vector(i);
    if (!vec) return [];
    return Array.from({ length: vec.length }, (_, k) => {
      const p = vec.start + 4 * k;
      return new Table(this.v, p + this.v.getUint32(p, true));
    });
  }

  ints(i: number): number[] {
    const vec = this.vector(i);
    if (!vec) return [];
    return Array.from({ length: vec.length }, (_, k) => this.v.getInt32(vec.start + 4 * k, true));
  }

  string(i: number): string | undefined {
    const vec = this.vector(i);
    if (!vec) return undefined;
    return new TextDecoder().decode(new Uint8Array(this.v.buffer, this.v.byteOffset + vec.start, vec.length));
  }
}

export interface TfliteModelInfo {
  version: number;
  description: string;
  /** Operator counts as found in the file (before translation). */
  ops: Record<string, number>;
  parameters: number;
}

interface TensorInfo {
  name: string;
  shape: number[];
  type: number;
  /** Constant data (float32), when the tensor has a non-empty buffer. */
  data?: Float32Array;
  ints?: number[];
}

// TensorType: FLOAT32 0, INT32 2.
const FLOAT32 = 0;
const INT32 = 2;

/** The subgraph's tensors, constant data copied out of the file's buffers, and the parameter count. */
function readTensors(
  bytes: Uint8Array,
  model: Table,
  sg: Table,
): { tensors: TensorInfo[]; parameters: number } {
  const buffers = model.tables(4);
  let parameters = 0;
  const tensors: TensorInfo[] = sg.tables(0).map((t) => {
    const name = t.string(3) ?? '';
    const shape = t.ints(0);
    const type = t.u8(1);
    const quant = t.table(4);
    if (quant?.vector(2)?.length) throw new Error(`tflite: tensor '${name}' is quantised`);
    const buf = buffers[t.u32(2)]?.vector(0);
    const info: TensorInfo = { name, shape, type };
    if (buf && buf.length > 0) {
      // A copy (aligned for Float32Array; Buffer#slice would share memory instead).
      const raw = new Uint8Array(bytes.subarray(buf.start, buf.start + buf.length));
      if (type === FLOAT32) {
        info.data = new Float32Array(raw.buffer, 0, raw.byteLength / 4);
        parameters += info.data.length;
      } else if (type === INT32) info.ints = Array.from(new Int32Array(raw.buffer, 0, raw.byteLength / 4));
      else throw new Error(`tflite: constant '${name}' has unsupported type ${type}`);
    } else if (type !== FLOAT32 && type !== INT32) {
      throw new Error(`tflite: tensor '${name}' has unsupported type ${type}`);
    }
    return info;
  });
  return { tensors, parameters };
}

const nameOf = (i: number) => `t${i}`;

function activation(code: number, where: string): Activation {
  // ActivationFunctionType: NONE 0, RELU 1, RELU6 3.
  if (code === 0) return 'linear';
  if (code === 1) return 'relu';
  if (code === 3) return 'relu6';
  throw new Error(`tflite: fused activation ${code} in ${where} is not supported`);
}

/** A CONV_2D or DEPTHWISE_CONV_2D operator, its OHWI filter reordered to HWIO. */
function convNode(code: number, op: Table, tensor: (i: number | undefined) => TensorInfo): GraphNode {
  const ins = op.ints(1);
  const [outIdx] = op.ints(2);
  const opt = op.table(4);
  const depthwise = code === OP.DEPTHWISE_CONV_2D;
  const w = tensor(ins[1]);
  if (!w.data) throw new Error(`tflite: filter '${w.name}' is not constant`);
  const b = ins[2] !== undefined && ins[2] >= 0 ? tensor(ins[2]).data : undefined;
  // Conv2DOptions: padding 0, stride_w 1, stride_h 2, activation 3, dilation_w 4, dilation_h 5.
  // DepthwiseConv2DOptions: padding 0, stride_w 1, stride_h 2, depth_multiplier 3, activation 4,
  // dilation_w 5, dilation_h 6.
  const pad = opt?.u8(0) === 1 ? 'valid' : 'same';
  const strides: [number, number] = [opt?.i32(2, 1) ?? 1, opt?.i32(1, 1) ?? 1];
  const act = depthwise ? opt?.u8(4) : opt?.u8(3);
  const dilations: [number, number] = depthwise
    ? [opt?.i32(6, 1) ?? 1, opt?.i32(5, 1) ?? 1]
    : [opt?.i32(5, 1) ?? 1, opt?.i32(4, 1) ?? 1];
  let filter: Float32Array;
  let filterShape: [number, number, number, number];
  if (depthwise) {
    // [1, kh, kw, C*mult] -> [kh, kw, C, mult]: same memory order.
    const [, kh, kw, cm] = w.shape as [number, number, number, number];
    const inC = tensor(ins[0]).shape[3] ?? cm;
    filter = w.data;
    filterShape = [kh, kw, inC, cm / inC];
  } else {
    // [O, kh, kw, I] -> [kh, kw, I, O]
    const [o, kh, kw, i] = w.shape as [number, number, number, number];
    filter = new Float32Array(w.data.length);
    for (let a = 0; a < o; a++)
      for (let h = 0; h < kh; h++)
        for (let k = 0; k < kw; k++)
          for (let c = 0; c < i; c++) {
            filter[((h * kw + k) * i + c) * o + a] = w.data[((a * kh + h) * kw + k) * i + c] as number;
          }
    filterShape = [kh, kw, i, o];
  }
  return {
    kind: 'conv',
    input: nameOf(ins[0] ?? -1),
    output: nameOf(outIdx ?? -1),
    filter,
    filterShape,
    depthwise,
    ...(b ? { bias: b } : {}),
    strides,
    dilations,
    pad,
    activation: activation(act ?? 0, w.name),
  };
}

/** Reads a TFLite file into an NHWC graph (batch size free). */
export function parseTflite(bytes: Uint8Array): { graph: Graph; info: TfliteModelInfo } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ident = new TextDecoder().decode(bytes.subarray(4, 8));
  if (ident !== 'TFL3') throw new Error(`tflite: not a TFLite v3 file (identifier '${ident}')`);
  const model = new Table(v, v.getUint32(0, true));
  const version = model.u32(0);
  const opcodes = model.tables(1).map((t) => Math.max(t.u8(0), t.i32(3)));
  const subgraphs = model.tables(2);
  if (subgraphs.length !== 1) throw new Error(`tflite: ${subgraphs.length} subgraphs, expected 1`);
  const sg = subgraphs[0] as Table;
  const { tensors, parameters } = readTensors(bytes, model, sg);
  const [inputIdx] = sg.ints(1);
  const [outputIdx] = sg.ints(2);
  if (sg.ints(1).length !== 1 || sg.ints(2).length !== 1)
    throw new Error('tflite: expected one input and one output');
  const tensor = (i: number | undefined): TensorInfo => {
    const t = i !== undefined && i >= 0 ? tensors[i] : undefined;
    if (!t) throw new Error(`tflite: missing tensor ${i}`);
    return t;
  };
  const constants = new Map<string, Constant>();
  const operand = (i: number): string => {
    const t = tensor(i);
    if (t.data) constants.set(nameOf(i), perChannelConstant(t.data, t.shape, `tflite: constant '${t.name}'`));
    return nameOf(i);
  };
  const ops: Record<string, number> = {};
  const nodes: GraphNode[] = [];
  for (const op of sg.tables(3)) {
    const code = opcodes[op.u32(0)] ?? -1;
    const opName = OP_NAME.get(code) ?? `builtin ${code}`;
    ops[opName] = (ops[opName] ?? 0) + 1;
    const ins = op.ints(1);
    const [outIdx] = op.ints(2);
    const y = nameOf(outIdx ?? -1);
    const opt = op.table(4);
    const x = nameOf(ins[0] ?? -1);
    switch (code) {
      case OP.CONV_2D:
      case OP.DEPTHWISE_CONV_2D:
        nodes.push(convNode(code, op, tensor));
        break;
      case OP.ADD:
      case OP.SUB:
      case OP.MUL: {
        // AddOptions / SubOptions / MulOptions: fused activation at 0.
        if ((opt?.u8(0) ?? 0) !== 0) throw new Error(`tflite: fused activation on ${opName}`);
        const kind = (code === OP.ADD ? 'add' : code === OP.SUB ? 'sub' : 'mul') as BinaryNode['kind'];
        nodes.push({ kind, a: operand(ins[0] ?? -1), b: operand(ins[1] ?? -1), output: y });
        break;
      }
      case OP.RELU:
      case OP.RELU6:
      case OP.ABS:
        nodes.push({
          kind: code === OP.RELU ? 'relu' : code === OP.RELU6 ? 'relu6' : 'abs',
          input: x,
          output: y,
        });
        break;
      case OP.PRELU: {
        const a = tensor(ins[1]);
        if (!a.data) throw new Error('tflite: PRELU slopes are not constant');
        nodes.push({ kind: 'prelu', input: x, output: y, alpha: a.data });
        break;
      }
      case OP.RESHAPE: {
        const target = ins[1] !== undefined && ins[1] >= 0 ? tensor(ins[1]).ints : undefined;
        const shape = [...(target ?? opt?.ints(0) ?? tensor(outIdx).shape)];
        // The batch dimension of the file (e.g. 2) is free here.
        if (shape.length > 0) shape[0] = -1;
        nodes.push({ kind: 'reshape', input: x, output: y, shape });
        break;
      }
      default:
        throw new Error(`tflite: operator ${opName} is not supported`);
    }
  }
  const info: TfliteModelInfo = { version, description: model.string(3) ?? '', ops, parameters };
  return {
    graph: { input: nameOf(inputIdx ?? -1), output: nameOf(outputIdx ?? -1), nodes, constants },
    info,
  };
}
