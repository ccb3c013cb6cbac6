/**
 * A tiny hand-assembled WebAssembly SIMD kernel: dot products of one query against n rows,
 * 8 floats per step with two f32x4 accumulators. About 4x the plain JS loop; used by the Gallery
 * when the runtime supports WASM SIMD (Node 16.4+ on x86-64 and ARM64) and dim % 8 == 0.
 *
 * Equivalent WAT:
 *   (func (export "dots") (param $q i32) (param $rows i32) (param $n i32) (param $dim i32) (param $out i32)
 *     (local $r i32) (local $p i32) (local $qi i32) (local $end i32) (local $a v128) (local $b v128)
 *     block $exit loop $row
 *       (br_if $exit (i32.ge_u $r $n))
 *       $p = $rows + ($r * $dim << 2); $qi = $q; $end = $q + ($dim << 2); $a = $b = 0
 *       loop $col
 *         $a += load($qi) * load($p); $b += load($qi + 16) * load($p + 16)
 *         $qi += 32; $p += 32
 *         (br_if $col (i32.lt_u $qi $end))
 *       end
 *       f32.store ($out + ($r << 2)) (sum of the lanes of $a + $b)
 *       $r += 1; br $row
 *     end end)
 * Memory is imported ("e", "m") so the caller owns and grows it.
 */

const SIMD = 0xfd;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_MUL = 0x6c;
const I32_SHL = 0x74;
const I32_GE_U = 0x4f;
const I32_LT_U = 0x49;
const F32_ADD = 0x92;
const F32_STORE = 0x38;
const BLOCK = 0x02;
const LOOP = 0x03;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const VOID = 0x40;
const V128_LOAD = [SIMD, 0x00];
const V128_CONST = [SIMD, 0x0c];
const F32X4_EXTRACT = [SIMD, 0x1f];
const F32X4_ADD = [SIMD, 0xe4, 0x01];
const F32X4_MUL = [SIMD, 0xe6, 0x01];

// Locals: 0 q, 1 rows, 2 n, 3 dim, 4 out, 5 r, 6 p, 7 qi, 8 end, 9 a, 10 b.
const [Q, ROWS, N, DIM, OUT, R, P, QI, END_, A, B] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function str(s: string): number[] {
  return [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
}

function buildModule(): Uint8Array {
  const get = (i: number) => [LOCAL_GET, i];
  const set = (i: number) => [LOCAL_SET, i];
  const code = [
    // locals: 4 x i32, 2 x v128
    2,
    4,
    0x7f,
    2,
    0x7b,
    BLOCK,
    VOID,
    LOOP,
    VOID,
    ...get(R),
    ...get(N),
    I32_GE_U,
    BR_IF,
    1,
    ...get(ROWS),
    ...get(R),
    ...get(DIM),
    I32_MUL,
    I32_CONST,
    2,
    I32_SHL,
    I32_ADD,
    ...set(P),
    ...get(Q),
    ...set(QI),
    ...get(Q),
    ...get(DIM),
    I32_CONST,
    2,
    I32_SHL,
    I32_ADD,
    ...set(END_),
    ...V128_CONST,
    ...new Array<number>(16).fill(0),
    ...set(A),
    ...V128_CONST,
    ...new Array<number>(16).fill(0),
    ...set(B),
    LOOP,
    VOID,
    ...get(A),
    ...get(QI),
    ...V128_LOAD,
    4,
    0,
    ...get(P),
    ...V128_LOAD,
    4,
    0,
    ...F32X4_MUL,
    ...F32X4_ADD,
    ...set(A),
    ...get(B),
    ...get(QI),
    ...V128_LOAD,
    4,
    16,
    ...get(P),
    ...V128_LOAD,
    4,
    16,
    ...F32X4_MUL,
    ...F32X4_ADD,
    ...set(B),
    ...get(QI),
    I32_CONST,
    32,
    I32_ADD,
    LOCAL_TEE,
    QI,
    ...get(P),
    I32_CONST,
    32,
    I32_ADD,
    ...set(P),
    ...get(END_),
    I32_LT_U,
    BR_IF,
    0,
    END,
    ...get(OUT),
    ...get(R),
    I32_CONST,
    2,
    I32_SHL,
    I32_ADD,
    ...get(A),
    ...get(B),
    ...F32X4_ADD,
    LOCAL_TEE,
    A,
    ...F32X4_EXTRACT,
    0,
    ...get(A),
    ...F32X4_EXTRACT,
    1,
    F32_ADD,
    ...get(A),
    ...F32X4_EXTRACT,
    2,
    F32_ADD,
    ...get(A),
    ...F32X4_EXTRACT,
    3,
    F32_ADD,
    F32_STORE,
    2,
    0,
    ...get(R),
    I32_CONST,
    1,
    I32_ADD,
    ...set(R),
    BR,
    0,
    END,
    END,
    END,
  ];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('dots'), 0x00, 0]),
    ...section(10, [1, ...uleb(code.length), ...code]),
  ];
  return new Uint8Array(bytes);
}

export type DotsFn = (q: number, rows: number, n: number, dim: number, out: number) => void;

/** The slice of the WebAssembly JS API used here (the project's lib settings omit its types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
interface WasmApi {
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface SimdDots {
  memory: WasmMemory;
  dots: DotsFn;
}

let moduleCache: object | null | undefined;

/** Instantiates the kernel over a fresh memory of `initialPages` 64 KiB pages; undefined without WASM SIMD. */
export function createSimdDots(initialPages = 1): SimdDots | undefined {
  if (moduleCache === undefined) {
    const bytes = buildModule();
    moduleCache = WA.validate(bytes) ? new WA.Module(bytes) : null;
  }
  if (!moduleCache) return undefined;
  const memory = new WA.Memory({ initial: initialPages });
  const instance = new WA.Instance(moduleCache, { e: { m: memory } });
  return { memory, dots: instance.exports.dots as DotsFn };
}
