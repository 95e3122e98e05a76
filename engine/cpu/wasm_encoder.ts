/**
 * Just enough of the WebAssembly binary format to write the engine's SIMD kernels in TypeScript:
 * a module of exported functions over one exported memory, each function written instruction by
 * instruction with named locals. The engine may not depend on npm or on a toolchain (`wat2wasm`,
 * clang), so its kernels are assembled here at start-up, in well under a millisecond.
 *
 * Encoding per the WebAssembly 2.0 core spec (https://webassembly.github.io/spec/core/binary/)
 * and its fixed-width SIMD proposal (https://github.com/WebAssembly/simd, opcodes after 0xFD).
 *
 * @module
 */

export type ValueType = "i32" | "f32" | "f64" | "v128";

/** "\0asm", then version 1. */
const MAGIC_AND_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

const TYPE_CODE: Record<ValueType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function signedLeb(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      bytes.push(byte);
      return bytes;
    }
    bytes.push(byte | 0x80);
  }
}

function utf8(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...unsignedLeb(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsignedLeb(content.length), ...content];
}

/** Memory access alignment (log2 of bytes) and a constant byte offset. */
function memarg(alignLog2: number, offset: number): number[] {
  return [...unsignedLeb(alignLog2), ...unsignedLeb(offset)];
}

/**
 * One function's body. Locals are named: parameters first, in order, then those declared with
 * {@linkcode FunctionWriter.local}. The one control structure is
 * {@linkcode FunctionWriter.loopWhile}.
 */
export class FunctionWriter {
  readonly #bytes: number[] = [];
  readonly #locals = new Map<string, { index: number; type: ValueType }>();
  readonly #declared: ValueType[] = [];

  constructor(readonly params: [string, ValueType][]) {
    params.forEach(([name, type], index) => this.#locals.set(name, { index, type }));
  }

  /** Declares locals (zero-initialised, as the spec says). */
  local(type: ValueType, ...names: string[]): this {
    for (const name of names) {
      if (this.#locals.has(name)) throw new Error(`Local "${name}" is declared twice`);
      this.#locals.set(name, { index: this.#locals.size, type });
      this.#declared.push(type);
    }
    return this;
  }

  #index(name: string): number[] {
    const local = this.#locals.get(name);
    if (!local) throw new Error(`Unknown local "${name}"`);
    return unsignedLeb(local.index);
  }

  #op(...bytes: number[]): this {
    this.#bytes.push(...bytes);
    return this;
  }

  #simd(opcode: number, ...immediates: number[]): this {
    return this.#op(0xfd, ...unsignedLeb(opcode), ...immediates);
  }

  get(name: string): this {
    return this.#op(0x20, ...this.#index(name));
  }
  set(name: string): this {
    return this.#op(0x21, ...this.#index(name));
  }
  i32(value: number): this {
    return this.#op(0x41, ...signedLeb(value | 0));
  }
  add(): this {
    return this.#op(0x6a);
  }
  sub(): this {
    return this.#op(0x6b);
  }
  mul(): this {
    return this.#op(0x6c);
  }
  /** i32 less-than, signed. */
  lessThan(): this {
    return this.#op(0x48);
  }
  /** `name += step` on an i32 local. */
  increment(name: string, step: number | string): this {
    this.get(name);
    if (typeof step === "number") this.i32(step);
    else this.get(step);
    return this.add().set(name);
  }

  /** i32 bitwise and. */
  and(): this {
    return this.#op(0x71);
  }
  /** i32.load: a 4-byte integer at the address on top, plus `offset`. */
  i32Load(offset = 0): this {
    return this.#op(0x28, ...memarg(2, offset));
  }
  f32Add(): this {
    return this.#op(0x92);
  }
  f32Mul(): this {
    return this.#op(0x94);
  }

  f32Load(offset = 0): this {
    return this.#op(0x2a, ...memarg(2, offset));
  }
  f32Store(offset = 0): this {
    return this.#op(0x38, ...memarg(2, offset));
  }
  v128Load(offset = 0): this {
    return this.#simd(0x00, ...memarg(4, offset));
  }
  /** Loads one f32 into all four lanes. */
  v128Load32Splat(offset = 0): this {
    return this.#simd(0x09, ...memarg(2, offset));
  }
  v128Store(offset = 0): this {
    return this.#simd(0x0b, ...memarg(4, offset));
  }
  /** An f32 into all four lanes. */
  f32x4Splat(): this {
    return this.#simd(0x13);
  }
  f32x4Sqrt(): this {
    return this.#simd(0xe3);
  }
  f32x4Add(): this {
    return this.#simd(0xe4);
  }
  f32x4Sub(): this {
    return this.#simd(0xe5);
  }
  f32x4Mul(): this {
    return this.#simd(0xe6);
  }
  f32x4Div(): this {
    return this.#simd(0xe7);
  }
  /** Lane-wise `a < b ? b : a` (no NaN propagation, unlike `f32x4.max`). */
  f32x4Pmax(): this {
    return this.#simd(0xeb);
  }

  /** a·b + c, fused or not as the CPU has it (relaxed SIMD). */
  f32x4RelaxedMadd(): this {
    return this.#simd(0x105);
  }
  /** Two f32 (8 bytes) into the low lanes, zeros above. */
  v128Load64Zero(offset = 0): this {
    return this.#simd(0x5d, ...memarg(3, offset));
  }
  /** Stores the 8 bytes of 64-bit lane `lane` (two f32 after a demote: lane 0). */
  v128Store64Lane(offset: number, lane: number): this {
    return this.#simd(0x5b, ...memarg(3, offset), lane);
  }
  /** An f64 into both lanes. */
  f64x2Splat(): this {
    return this.#simd(0x14);
  }
  /** The two low f32 lanes, exactly, as f64. */
  f64x2PromoteLowF32x4(): this {
    return this.#simd(0x5f);
  }
  /** Both f64 lanes rounded to f32 (as `Math.fround`) into the low lanes, zeros above. */
  f32x4DemoteF64x2Zero(): this {
    return this.#simd(0x5e);
  }
  f64x2Add(): this {
    return this.#simd(0xf0);
  }
  f64x2Sub(): this {
    return this.#simd(0xf1);
  }
  f64x2Mul(): this {
    return this.#simd(0xf2);
  }
  f64x2Div(): this {
    return this.#simd(0xf3);
  }
  /** i32.load8_u: the byte at the address on top, plus `offset`, zero-extended. */
  i32Load8U(offset = 0): this {
    return this.#op(0x2d, ...memarg(0, offset));
  }
  /** All ones in each lane where a > b, else zeros (false for NaN). */
  f32x4Gt(): this {
    return this.#simd(0x44);
  }

  /** A constant of four i32 lanes, lane 0 first. */
  i32x4Const(lanes: [number, number, number, number]): this {
    const bytes = new Uint8Array(Int32Array.from(lanes).buffer);
    return this.#simd(0x0c, ...bytes);
  }
  /** An i32 into all four lanes. */
  i32x4Splat(): this {
    return this.#simd(0x11);
  }
  i32x4Add(): this {
    return this.#simd(0xae);
  }
  /** Lane-wise product, modulo 2³² (as `Math.imul`). */
  i32x4Mul(): this {
    return this.#simd(0xb5);
  }
  /** Each lane shifted right, zeros in, by the i32 on top (modulo 32). */
  i32x4ShrU(): this {
    return this.#simd(0xad);
  }
  /** All ones in each lane where a > b as signed integers, else zeros. */
  i32x4GtS(): this {
    return this.#simd(0x3b);
  }
  v128And(): this {
    return this.#simd(0x4e);
  }
  v128Xor(): this {
    return this.#simd(0x51);
  }
  /** Two i32x4 into one i16x8 (a's lanes first), saturating. */
  i16x8NarrowI32x4S(): this {
    return this.#simd(0x85);
  }
  /** Two i16x8 into one i8x16 (a's lanes first), saturating. */
  i8x16NarrowI16x8S(): this {
    return this.#simd(0x65);
  }
  i8x16Neg(): this {
    return this.#simd(0x61);
  }
  /** The low (lanes 0–7) or high bytes, sign-extended to i16x8. */
  i16x8ExtendI8x16S(half: "low" | "high"): this {
    return this.#simd(half === "low" ? 0x87 : 0x88);
  }
  /** The low (lanes 0–3) or high i16 lanes, sign-extended to i32x4. */
  i32x4ExtendI16x8S(half: "low" | "high"): this {
    return this.#simd(half === "low" ? 0xa7 : 0xa8);
  }

  /** `select`: the first operand when the i32 on top is non-zero, else the second. */
  select(): this {
    return this.#op(0x1b);
  }

  /**
   * Runs `body` while `name < limit` (an i32 local or constant), from the local's current value
   * and adding `step` (a constant or a local) after each pass.
   */
  loopWhile(name: string, limit: string | number, step: number | string, body: () => void): this {
    const compare = () => {
      this.get(name);
      if (typeof limit === "number") this.i32(limit);
      else this.get(limit);
      return this.lessThan();
    };
    // block { if !(name < limit) break; loop { body; name += step; if (name < limit) continue } }
    this.#op(0x02, 0x40);
    compare().#op(0x45, 0x0d, 0x00); // i32.eqz, br_if 0
    this.#op(0x03, 0x40);
    body();
    this.increment(name, step);
    compare().#op(0x0d, 0x00); // br_if 0 (the loop)
    return this.#op(0x0b, 0x0b);
  }

  /** The code entry: declared locals, run-length grouped by type, then the body and `end`. */
  encode(): number[] {
    const groups: number[][] = [];
    for (let i = 0; i < this.#declared.length;) {
      let j = i;
      while (j < this.#declared.length && this.#declared[j] === this.#declared[i]) j++;
      groups.push([...unsignedLeb(j - i), TYPE_CODE[this.#declared[i]]]);
      i = j;
    }
    const body = [...vector(groups), ...this.#bytes, 0x0b];
    return [...unsignedLeb(body.length), ...body];
  }
}

/**
 * A module exporting `functions` (each of type (params) → ()) and a memory named "memory" of
 * `pages` 64 KiB pages to start with, growable to `maxPages`.
 */
export function encodeModule(
  functions: Record<string, FunctionWriter>,
  memory: { pages: number; maxPages: number },
): Uint8Array<ArrayBuffer> {
  const entries = Object.entries(functions);
  const types = entries.map((
    [, f],
  ) => [0x60, ...vector(f.params.map(([, type]) => [TYPE_CODE[type]])), 0x00]);
  const exports = [
    ...entries.map(([name], index) => [...utf8(name), 0x00, ...unsignedLeb(index)]),
    [...utf8("memory"), 0x02, 0x00],
  ];
  return new Uint8Array([
    ...MAGIC_AND_VERSION,
    ...section(1, vector(types)),
    ...section(3, vector(entries.map((_, index) => unsignedLeb(index)))),
    ...section(5, vector([[0x01, ...unsignedLeb(memory.pages), ...unsignedLeb(memory.maxPages)]])),
    ...section(7, vector(exports)),
    ...section(10, vector(entries.map(([, f]) => f.encode()))),
  ]);
}
