/**
 * Low-discrepancy sequences as scipy.stats.qmc builds them (what Optuna 3.1's `QMCSampler`
 * draws from): Sobol' (Joe–Kuo direction numbers, 30 bits, points in Gray-code order, point 0 at
 * the origin) optionally scrambled with a random linear matrix scramble plus a digital shift
 * (scipy's "LMS + shift"), and Halton (van der Corput in the first primes, point 0 at the origin)
 * optionally scrambled by a random permutation of the digits at each digit position (scipy's
 * scrambled Halton). Any point is reached directly by its index, so workers sharing a study draw
 * the points of their own trial numbers without replaying the sequence.
 *
 * The scrambles draw from this project's generator, not numpy's: a scrambled sequence is one of
 * scipy's kind, not scipy's exact points for the same seed.
 *
 * @module
 */

import { Rng } from "../../../engine/random.ts";
import { JOE_KUO } from "./sobol_directions.ts";

const BITS = 30;
const SCALE = 2 ** -BITS;

let table: { s: number; a: number; m: number[] }[] | null = null;
function directionTable() {
  table ??= JOE_KUO.trim().split("\n").map((line) => {
    const [s, a, ...m] = line.trim().split(" ").map(Number);
    return { s, a, m };
  });
  return table;
}

/** The most dimensions {@linkcode Sobol} supports. */
export const SOBOL_MAX_DIM = 512;

/** The 30 direction numbers of Sobol' dimension `d` (0-based), as 30-bit integers. */
export function sobolDirections(d: number): number[] {
  if (d === 0) return Array.from({ length: BITS }, (_, j) => 2 ** (BITS - 1 - j));
  const { s, a, m: initial } = directionTable()[d - 1];
  const m = [...initial];
  for (let i = s; i < BITS; i++) {
    let v = m[i - s] ^ (m[i - s] * 2 ** s); // m < 2^30: fits in 32-bit XOR
    for (let k = 1; k < s; k++) if ((a >> (s - 1 - k)) & 1) v ^= m[i - k] << k;
    m.push(v);
  }
  return m.map((mj, j) => mj * 2 ** (BITS - 1 - j));
}

export class Sobol {
  readonly dim: number;
  #v: number[][];
  #shift: number[];

  constructor(dim: number, options: { scramble?: boolean; seed?: number } = {}) {
    if (!(Number.isInteger(dim) && dim >= 1 && dim <= SOBOL_MAX_DIM)) {
      throw new RangeError(`Sobol needs 1 to ${SOBOL_MAX_DIM} dimensions, got ${dim}`);
    }
    this.dim = dim;
    this.#v = Array.from({ length: dim }, (_, d) => sobolDirections(d));
    this.#shift = new Array(dim).fill(0);
    if (options.scramble) {
      const rng = new Rng(options.seed ?? 0);
      for (let d = 0; d < dim; d++) {
        // Lower-triangular binary matrix with a unit diagonal: output digit k (k = 0 the most
        // significant) is the XOR of input digit k and a random choice of the digits before it.
        const rows = Array.from({ length: BITS }, (_, k) => {
          let row = 1 << (BITS - 1 - k);
          for (let i = 0; i < k; i++) if (rng.uniform() < 0.5) row |= 1 << (BITS - 1 - i);
          return row;
        });
        this.#v[d] = this.#v[d].map((v) => {
          let out = 0;
          for (let k = 0; k < BITS; k++) if (parity(rows[k] & v)) out |= 1 << (BITS - 1 - k);
          return out;
        });
        this.#shift[d] = Math.floor(rng.uniform() * 2 ** BITS);
      }
    }
  }

  /** Point `index` (0-based) of the sequence, in [0, 1)^dim. */
  point(index: number): number[] {
    if (!(Number.isInteger(index) && index >= 0 && index < 2 ** BITS)) {
      throw new RangeError(`Sobol point index must be an integer in [0, 2^30), got ${index}`);
    }
    const gray = index ^ (index >>> 1);
    return this.#v.map((v, d) => {
      let x = this.#shift[d];
      for (let j = 0; j < BITS; j++) if ((gray >>> j) & 1) x ^= v[j];
      return (x >>> 0) * SCALE;
    });
  }
}

function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

/** The first `n` primes. */
export function primes(n: number): number[] {
  const out: number[] = [];
  for (let k = 2; out.length < n; k++) if (out.every((p) => k % p !== 0)) out.push(k);
  return out;
}

export class Halton {
  readonly dim: number;
  readonly bases: number[];
  /** Per dimension, per digit position: a permutation of the digits (scrambled only). */
  #perms: number[][][] | null = null;

  constructor(dim: number, options: { scramble?: boolean; seed?: number } = {}) {
    if (!(Number.isInteger(dim) && dim >= 1)) {
      throw new RangeError(`Halton needs at least 1 dimension, got ${dim}`);
    }
    this.dim = dim;
    this.bases = primes(dim);
    if (options.scramble) {
      const rng = new Rng(options.seed ?? 0);
      // As scipy: enough digit positions to exhaust double precision in each base.
      this.#perms = this.bases.map((base) => {
        const count = Math.ceil(54 / Math.log2(base)) - 1;
        return Array.from({ length: count }, () => rng.shuffle([...Array(base).keys()]));
      });
    }
  }

  /** Point `index` (0-based) of the sequence, in [0, 1)^dim. */
  point(index: number): number[] {
    if (!(Number.isInteger(index) && index >= 0)) {
      throw new RangeError(`Halton point index must be an integer ≥ 0, got ${index}`);
    }
    return this.bases.map((base, d) => {
      const perms = this.#perms?.[d];
      let x = 0, scale = 1 / base, q = index, position = 0;
      // Unscrambled: the digits of the index; scrambled: every position, zeros permuted too.
      while (perms ? position < perms.length : q > 0) {
        const digit = q % base;
        x += (perms ? perms[position][digit] : digit) * scale;
        q = Math.floor(q / base);
        scale /= base;
        position++;
      }
      return Math.min(x, 1 - Number.EPSILON / 2);
    });
  }
}
