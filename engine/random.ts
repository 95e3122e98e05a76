/**
 * The one seeded PRNG behind every random choice in ajuste (splits, shuffles, initial weights,
 * synthetic data), plus the counter-based hash that draws dropout masks.
 *
 * - {@linkcode Rng}: xoshiro128** (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c),
 *   period 2^128 − 1, its state seeded from a 32-bit seed through splitmix32.
 * - {@linkcode hashUniform}: a stateless hash of (seed, step, layer, index) built from Chris
 *   Wellons' lowbias32, so the CPU reference and the WGSL kernels draw identical dropout masks
 *   from integer arithmetic alone (`shaders/` has the same function, bit for bit).
 *
 * @module
 */

function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/** Seeded xoshiro128** generator. */
export class Rng {
  #s = new Uint32Array(4);
  #spareNormal: number | null = null;

  constructor(seed: number) {
    let state = seed | 0;
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(state);
      state = next;
      this.#s[i] = out;
    }
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!(n >= 1 && n <= 4294967296)) {
      throw new RangeError(`Rng.int() needs 1 ≤ n ≤ 2^32, got ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    let x: number;
    do x = this.nextU32(); while (x >= limit);
    return x % n;
  }

  /** Standard normal (Box–Muller in f64; the second value is kept for the next call). */
  normal(): number {
    if (this.#spareNormal !== null) {
      const spare = this.#spareNormal;
      this.#spareNormal = null;
      return spare;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles in place (Fisher–Yates) and returns the array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A child generator for an independent stream (e.g. one per purpose), derived from this one. */
  fork(): Rng {
    return new Rng(this.nextU32() | 0);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** lowbias32 (https://nullprogram.com/blog/2018/07/31/): a fast 32-bit integer hash. */
export function lowbias32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A uniform in [0, 1) (24-bit resolution, exact in f32) keyed by (seed, step, layer, index).
 * WGSL twin: `hash_uniform` in `shaders/dropout_rng.wgsl` — keep the two identical.
 */
export function hashUniform(seed: number, step: number, layer: number, index: number): number {
  let h = lowbias32(seed >>> 0);
  h = lowbias32((h ^ step) >>> 0);
  h = lowbias32((h ^ layer) >>> 0);
  h = lowbias32((h ^ index) >>> 0);
  return (h >>> 8) / 16777216;
}
