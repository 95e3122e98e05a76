/**
 * The fast CPU backend's batch gather: `gather.ts`'s `gatherInputs` for byte inputs (images),
 * with the 256-entry lookup in WebAssembly and the batch left in the module's memory, where the
 * session keeps its input buffer ({@linkcode WasmGather.inputs}), so nothing is copied out.
 * Each row's bytes are copied in (784 for MNIST, a quarter of the floats written), then each
 * byte indexes the same table of `transformInput` values as the reference's, so the inputs are
 * the reference's bit for bit. Float inputs (tables) take the reference's loop into the same
 * buffer.
 *
 * The reference's loop took 1.3 ns an element here (0.13 ms of a batch-128 MNIST step).
 *
 * @module
 */

import { type Examples, type InputTransform, transformInput } from "../data/dataset.ts";
import { gatherInputs } from "./gather.ts";
import { encodeModule, FunctionWriter } from "./wasm_encoder.ts";

const PAGE_BYTES = 65536;
const TABLE_BYTES = 256 * 4;

/** lookup(raw, table, out, count): out[i] = table[raw[i]] for i < ⌈count/4⌉·4. */
function lookupFunction(): FunctionWriter {
  const f = new FunctionWriter([
    ["raw", "i32"],
    ["table", "i32"],
    ["out", "i32"],
    ["count", "i32"],
  ]);
  f.local("i32", "i", "at", "from");
  f.loopWhile("i", "count", 4, () => {
    f.get("out").get("i").i32(4).mul().add().set("at");
    f.get("raw").get("i").add().set("from");
    for (let u = 0; u < 4; u++) {
      f.get("at");
      f.get("from").i32Load8U(u).i32(4).mul().get("table").add().f32Load();
      f.f32Store(4 * u);
    }
  });
  return f;
}

let compiled: WebAssembly.Module | null = null;

function compileModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(
    encodeModule({ lookup: lookupFunction() }, { pages: 1, maxPages: 65536 }),
  );
  return compiled;
}

interface Exports {
  memory: WebAssembly.Memory;
  lookup(raw: number, table: number, out: number, count: number): void;
}

export class WasmGather {
  /** The batch buffer, `capacity` floats in the module's memory. */
  readonly inputs: Float32Array;
  readonly #exports: Exports;
  readonly #bytes: Uint8Array;
  readonly #table: Float32Array;
  readonly #raw: number;
  #transform: InputTransform | null = null;

  constructor(readonly capacity: number) {
    this.#exports = new WebAssembly.Instance(compileModule()).exports as unknown as Exports;
    const padded = Math.ceil(capacity / 4) * 4;
    this.#raw = TABLE_BYTES + 4 * padded;
    const memory = this.#exports.memory;
    const pages = Math.ceil((this.#raw + padded) / PAGE_BYTES) -
      memory.buffer.byteLength / PAGE_BYTES;
    if (pages > 0) memory.grow(pages);
    this.#table = new Float32Array(memory.buffer, 0, 256);
    this.inputs = new Float32Array(memory.buffer, TABLE_BYTES, capacity);
    this.#bytes = new Uint8Array(memory.buffer);
  }

  /**
   * `gatherInputs` into `out`, which must be a view of {@linkcode inputs} from its start:
   * out[r × features + f] = transformInput(inputs[rows[r] × features + f]).
   */
  gather(
    examples: Examples,
    features: number,
    rows: Uint32Array,
    transform: InputTransform,
    out: Float32Array,
  ): void {
    const { inputs } = examples;
    const count = rows.length * features;
    if (out.buffer !== this.inputs.buffer || out.byteOffset !== TABLE_BYTES) {
      throw new Error("WasmGather.gather() writes into its own inputs buffer only");
    }
    if (count > this.capacity) {
      throw new RangeError(`A batch of ${count} inputs exceeds the gather's ${this.capacity}`);
    }
    if (!(inputs instanceof Uint8Array)) {
      gatherInputs(examples, features, rows, transform, out);
      return;
    }
    if (this.#transform?.scale !== transform.scale || this.#transform.shift !== transform.shift) {
      for (let v = 0; v < 256; v++) this.#table[v] = transformInput(v, transform);
      this.#transform = { ...transform };
    }
    const bytes = this.#bytes;
    for (let r = 0; r < rows.length; r++) {
      const from = rows[r] * features;
      bytes.set(inputs.subarray(from, from + features), this.#raw + r * features);
    }
    this.#exports.lookup(this.#raw, 0, TABLE_BYTES, count);
  }
}
