/**
 * A minimal ONNX reader: decodes the protobuf by hand (no protobuf package) and translates the
 * operators of convolutional embedding nets into our NHWC graph (graph.ts). Supported: Conv
 * (regular and depthwise), PRelu, Relu, Add, Mul, Sub, Reshape/Flatten of a 1x1 head. Anything
 * else throws with the operator's name, so an unsupported model fails when it is loaded.
 */
import { type BinaryNode, type Constant, type Graph, type GraphNode, perChannelConstant } from './graph.ts';

type Range = [number, number];
type Field = { no: number; wire: number; int: bigint; range: Range; fixed: number };

/** Iterates the fields of one protobuf message in `buf[range]`. */
function* fields(buf: Uint8Array, range: Range): Generator<Field> {
  let p = range[0];
  const end = range[1];
  const varint = (): bigint => {
    let r = 0n;
    let s = 0n;
    for (;;) {
      if (p >= end) throw new Error('onnx: truncated varint');
      const c = buf[p++] as number;
      r |= BigInt(c & 0x7f) << s;
      if (!(c & 0x80)) return r;
      s += 7n;
    }
  };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  while (p < end) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield { no, wire, int: varint(), range: [0, 0], fixed: 0 };
    else if (wire === 2) {
      const len = Number(varint());
      if (p + len > end) throw new Error('onnx: truncated field');
      yield { no, wire, int: 0n, range: [p, p + len], fixed: 0 };
      p += len;
    } else if (wire === 5) {
      yield { no, wire, int: 0n, range: [p, p + 4], fixed: view.getFloat32(p, true) };
      p += 4;
    } else if (wire === 1) {
      yield { no, wire, int: 0n, range: [p, p + 8], fixed: view.getFloat64(p, true) };
      p += 8;
    } else throw new Error(`onnx: unsupported protobuf wire type ${wire}`);
  }
}

function packedVarints(buf: Uint8Array, range: Range): number[] {
  const out: number[] = [];
  let p = range[0];
  while (p < range[1]) {
    let r = 0n;
    let s = 0n;
    for (;;) {
      const c = buf[p++] as number;
      r |= BigInt(c & 0x7f) << s;
      if (!(c & 0x80)) break;
      s += 7n;
    }
    out.push(Number(BigInt.asIntN(64, r)));
  }
  return out;
}

const text = (buf: Uint8Array, r: Range) => new TextDecoder().decode(buf.subarray(r[0], r[1]));

interface OnnxTensor {
  name: string;
  dims: number[];
  /** Float tensors as float32, integer tensors as numbers. */
  floats?: Float32Array;
  ints?: number[];
}

type AttrValue = number | number[] | string;

interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, AttrValue>;
}

function readTensor(buf: Uint8Array, range: Range): OnnxTensor {
  let name = '';
  const dims: number[] = [];
  let type = 0;
  let raw: Range | undefined;
  const floatData: number[] = [];
  const intData: number[] = [];
  for (const f of fields(buf, range)) {
    if (f.no === 1) {
      if (f.wire === 2) dims.push(...packedVarints(buf, f.range));
      else dims.push(Number(f.int));
    } else if (f.no === 2) type = Number(f.int);
    else if (f.no === 8) name = text(buf, f.range);
    else if (f.no === 9) raw = f.range;
    else if (f.no === 4) {
      if (f.wire === 2) {
        const v = new DataView(buf.buffer, buf.byteOffset + f.range[0], f.range[1] - f.range[0]);
        for (let i = 0; i + 4 <= v.byteLength; i += 4) floatData.push(v.getFloat32(i, true));
      } else floatData.push(f.fixed);
    } else if (f.no === 7 || f.no === 5) {
      if (f.wire === 2) intData.push(...packedVarints(buf, f.range));
      else intData.push(Number(BigInt.asIntN(64, f.int)));
    } else if (f.no === 13 || f.no === 14) throw new Error(`onnx: tensor '${name}' uses external data`);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  // 1 FLOAT, 6 INT32, 7 INT64.
  if (type === 1) {
    let floats: Float32Array;
    if (raw) {
      // Copy: raw_data need not be 4-byte aligned in the file.
      // (a new Uint8Array: Buffer#slice would share memory, not copy.)
      const bytes = new Uint8Array(buf.subarray(raw[0], raw[1]));
      floats = new Float32Array(bytes.buffer, 0, bytes.byteLength / 4);
    } else floats = Float32Array.from(floatData);
    if (floats.length !== count)
      throw new Error(`onnx: tensor '${name}' has ${floats.length} of ${count} values`);
    return { name, dims, floats };
  }
  if (type === 7 || type === 6) {
    let ints = intData;
    if (raw) {
      const v = new DataView(buf.buffer, buf.byteOffset + raw[0], raw[1] - raw[0]);
      const step = type === 7 ? 8 : 4;
      ints = [];
      for (let i = 0; i + step <= v.byteLength; i += step) {
        ints.push(type === 7 ? Number(v.getBigInt64(i, true)) : v.getInt32(i, true));
      }
    }
    return { name, dims, ints };
  }
  throw new Error(`onnx: tensor '${name}' has unsupported data type ${type}`);
}

function readNode(buf: Uint8Array, range: Range): OnnxNode {
  const node: OnnxNode = { op: '', inputs: [], outputs: [], attrs: new Map() };
  for (const f of fields(buf, range)) {
    if (f.no === 1) node.inputs.push(text(buf, f.range));
    else if (f.no === 2) node.outputs.push(text(buf, f.range));
    else if (f.no === 4) node.op = text(buf, f.range);
    else if (f.no === 5) {
      let name = '';
      let value: AttrValue = [];
      const ints: number[] = [];
      for (const a of fields(buf, f.range)) {
        if (a.no === 1) name = text(buf, a.range);
        else if (a.no === 2) value = a.fixed;
        else if (a.no === 3) value = Number(BigInt.asIntN(64, a.int));
        else if (a.no === 4) value = text(buf, a.range);
        else if (a.no === 8) {
          if (a.wire === 2) ints.push(...packedVarints(buf, a.range));
          else ints.push(Number(BigInt.asIntN(64, a.int)));
          value = ints;
        }
      }
      node.attrs.set(name, value);
    }
  }
  return node;
}

export interface OnnxModelInfo {
  producer: string;
  opsets: number[];
  /** Operator counts as found in the file (before translation). */
  ops: Record<string, number>;
  parameters: number;
}

/** What an ONNX file holds, before translation. */
interface OnnxModel {
  producer: string;
  opsets: number[];
  nodes: OnnxNode[];
  inits: Map<string, OnnxTensor>;
  inputs: string[];
  outputs: string[];
}

function readModel(buf: Uint8Array): OnnxModel {
  let graphRange: Range | undefined;
  let producer = '';
  const opsets: number[] = [];
  for (const f of fields(buf, [0, buf.length])) {
    if (f.no === 7) graphRange = f.range;
    else if (f.no === 2) producer = text(buf, f.range);
    else if (f.no === 3) producer += ` ${text(buf, f.range)}`;
    else if (f.no === 8) for (const o of fields(buf, f.range)) if (o.no === 2) opsets.push(Number(o.int));
  }
  if (!graphRange) throw new Error('onnx: no graph in file');
  const nodes: OnnxNode[] = [];
  const inits = new Map<string, OnnxTensor>();
  const inputs: string[] = [];
  const outputs: string[] = [];
  const valueName = (r: Range) => {
    for (const f of fields(buf, r)) if (f.no === 1) return text(buf, f.range);
    return '';
  };
  for (const f of fields(buf, graphRange)) {
    if (f.no === 1) nodes.push(readNode(buf, f.range));
    else if (f.no === 5) {
      const t = readTensor(buf, f.range);
      inits.set(t.name, t);
    } else if (f.no === 11) inputs.push(valueName(f.range));
    else if (f.no === 12) outputs.push(valueName(f.range));
  }
  return { producer, opsets, nodes, inits, inputs, outputs };
}

type FloatTensor = OnnxTensor & { floats: Float32Array };

function intsAttr(n: OnnxNode, key: string, dflt: number[]): number[] {
  const v = n.attrs.get(key);
  return Array.isArray(v) ? v : dflt;
}

/** A Conv node (regular or depthwise) with its OIHW filter reordered to HWIO. */
function convNode(n: OnnxNode, floatsOf: (name: string | undefined, what: string) => FloatTensor): GraphNode {
  const w = floatsOf(n.inputs[1], 'Conv weight');
  const [o, i, kh, kw] = w.dims as [number, number, number, number];
  const group = (n.attrs.get('group') as number | undefined) ?? 1;
  const autoPad = n.attrs.get('auto_pad');
  if (typeof autoPad === 'string' && autoPad !== 'NOTSET') {
    throw new Error(`onnx: Conv auto_pad ${autoPad} is not supported`);
  }
  const [pt, pl, pb, pr] = intsAttr(n, 'pads', [0, 0, 0, 0]) as [number, number, number, number];
  const depthwise = group !== 1;
  if (depthwise && !(i === 1 && group === o)) {
    throw new Error(`onnx: grouped Conv (group ${group}, ${o}x${i}) is not supported`);
  }
  const filter = new Float32Array(w.floats.length);
  if (depthwise) {
    // [C, 1, kh, kw] -> [kh, kw, C, 1]
    for (let c = 0; c < o; c++)
      for (let h = 0; h < kh; h++)
        for (let k = 0; k < kw; k++) filter[(h * kw + k) * o + c] = w.floats[(c * kh + h) * kw + k] as number;
  } else {
    // [O, I, kh, kw] -> [kh, kw, I, O]
    for (let a = 0; a < o; a++)
      for (let b = 0; b < i; b++)
        for (let h = 0; h < kh; h++)
          for (let k = 0; k < kw; k++) {
            filter[((h * kw + k) * i + b) * o + a] = w.floats[((a * i + b) * kh + h) * kw + k] as number;
          }
  }
  const bias = n.inputs[2] ? floatsOf(n.inputs[2], 'Conv bias').floats : undefined;
  const symmetric = pt === pb && pl === pr && pt === pl;
  return {
    kind: 'conv',
    input: n.inputs[0] as string,
    output: n.outputs[0] as string,
    filter,
    filterShape: depthwise ? [kh, kw, o, 1] : [kh, kw, i, o],
    depthwise,
    ...(bias ? { bias } : {}),
    strides: intsAttr(n, 'strides', [1, 1]) as [number, number],
    dilations: intsAttr(n, 'dilations', [1, 1]) as [number, number],
    pad: symmetric
      ? pt
      : [
          [pt, pb],
          [pl, pr],
        ],
    activation: 'linear',
  };
}

/** The model's operators as graph nodes, and the constants their elementwise operands use. */
function translate(m: OnnxModel): { nodes: GraphNode[]; constants: Map<string, Constant> } {
  const { inits } = m;
  const floatsOf = (name: string | undefined, what: string): FloatTensor => {
    const t = name !== undefined ? inits.get(name) : undefined;
    if (!t?.floats) throw new Error(`onnx: ${what} '${name}' is not a float initializer`);
    return t as FloatTensor;
  };
  const constants = new Map<string, Constant>();
  /** An elementwise operand: activations by name, initializers as per-channel (last-axis) constants. */
  const operand = (name: string): string => {
    const t = inits.get(name);
    if (!t) return name;
    if (!t.floats) throw new Error(`onnx: operand '${name}' is not float`);
    constants.set(name, perChannelConstant(t.floats, t.dims, `onnx: constant '${name}' [${t.dims}]`));
    return name;
  };
  const out: GraphNode[] = [];
  for (const n of m.nodes) {
    const x = n.inputs[0] as string;
    const y = n.outputs[0] as string;
    switch (n.op) {
      case 'Conv':
        out.push(convNode(n, floatsOf));
        break;
      case 'PRelu': {
        const slope = floatsOf(n.inputs[1], 'PRelu slope');
        out.push({ kind: 'prelu', input: x, output: y, alpha: slope.floats });
        break;
      }
      case 'Relu':
        out.push({ kind: 'relu', input: x, output: y });
        break;
      case 'Add':
      case 'Sub':
      case 'Mul':
        out.push({
          kind: n.op.toLowerCase() as BinaryNode['kind'],
          a: operand(x),
          b: operand(n.inputs[1] as string),
          output: y,
        });
        break;
      case 'Reshape':
      case 'Flatten': {
        if (n.op === 'Reshape') {
          const shape = inits.get(n.inputs[1] as string)?.ints;
          if (shape?.length !== 2) throw new Error('onnx: only a Reshape to [batch, features] is supported');
        }
        out.push({ kind: 'reshape', input: x, output: y, shape: [-1, 0], unitSpatial: true });
        break;
      }
      default:
        throw new Error(`onnx: operator ${n.op} is not supported`);
    }
  }
  // A flatten's feature count is the channel count of its input: found from the conv before it.
  for (const n of out) {
    if (n.kind !== 'reshape') continue;
    const src = out.find((m) => m.output === n.input);
    if (src?.kind !== 'conv') throw new Error('onnx: flatten must follow a convolution');
    n.shape = [-1, src.depthwise ? src.filterShape[2] * src.filterShape[3] : src.filterShape[3]];
  }
  return { nodes: out, constants };
}

/** Reads an ONNX file into an NHWC graph. */
export function parseOnnx(bytes: Uint8Array): { graph: Graph; info: OnnxModelInfo } {
  const m = readModel(bytes);
  const realInputs = m.inputs.filter((n) => !m.inits.has(n));
  if (realInputs.length !== 1 || m.outputs.length !== 1) {
    throw new Error(
      `onnx: expected one input and one output, got ${realInputs.length} / ${m.outputs.length}`,
    );
  }
  const ops: Record<string, number> = {};
  for (const n of m.nodes) ops[n.op] = (ops[n.op] ?? 0) + 1;
  let parameters = 0;
  for (const t of m.inits.values()) parameters += t.dims.reduce((a, b) => a * b, 1);
  const { nodes, constants } = translate(m);
  return {
    graph: { input: realInputs[0] as string, output: m.outputs[0] as string, nodes, constants },
    info: { producer: m.producer.trim(), opsets: m.opsets, ops, parameters },
  };
}
