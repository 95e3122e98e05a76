/**
 * CMA-ES with the ask-and-tell interface of the `cmaes` package 0.9.1 (`cmaes/_cma.py`, the
 * optimizer behind Optuna 3.1's `CmaEsSampler`), ported equation for equation: the same default
 * population 4 + ⌊3 ln n⌋, positive and negative recombination weights (eq. 49–53), learning
 * rates, step-size control, h_σ, rank-one and weighted rank-μ updates (eq. 41–47), bounds handled
 * by resampling up to `nMaxResampling` times and then clipping, and the same stopping tests
 * (`shouldStop`, what IPOP restarts on).
 *
 * Unlike the Python class, the state is plain JSON ({@linkcode CmaState}) so that it can be kept
 * in a trial's system attributes, and `ask` takes its random generator from the caller (the
 * sampler draws each trial's solution from that trial's own stream).
 *
 * @module
 */

import type { Rng } from "../../../engine/random.ts";
import { eigh } from "./eigh.ts";

const EPS = 1e-8;
const MEAN_MAX = 1e32;
const SIGMA_MAX = 1e32;

/** Everything that changes as CMA-ES runs; the rest follows from `mean.length` and `popsize`. */
export interface CmaState {
  mean: number[];
  sigma: number;
  /** Covariance, row-major n×n. */
  cov: number[];
  pSigma: number[];
  pc: number[];
  /** Generation: how many times `tell` ran. */
  g: number;
  popsize: number;
  /** [low, high] per dimension, or null for an unbounded search. */
  bounds: [number, number][] | null;
  nMaxResampling: number;
  /** Best and worst value of each of the last `funhistTerm` generations (for `shouldStop`). */
  funhist: number[];
  /** 1e-12 × the initial σ. */
  tolx: number;
}

export interface CmaOptions {
  mean: readonly number[];
  sigma: number;
  bounds?: [number, number][] | null;
  nMaxResampling?: number;
  populationSize?: number;
  /** Initial covariance, row-major n×n (identity by default). */
  cov?: readonly number[];
}

export class Cma {
  readonly dim: number;
  readonly popsize: number;
  readonly mu: number;
  readonly muEff: number;
  readonly cc: number;
  readonly c1: number;
  readonly cmu: number;
  readonly cSigma: number;
  readonly dSigma: number;
  readonly cm = 1;
  readonly chiN: number;
  readonly weights: number[];
  readonly funhistTerm: number;
  state: CmaState;
  #b: number[] | null = null;
  #d: number[] | null = null;

  /** A fresh optimizer (cmaes' `CMA(mean, sigma, bounds, n_max_resampling, population_size)`). */
  static create(options: CmaOptions): Cma {
    const n = options.mean.length;
    if (!(options.sigma > 0)) {
      throw new RangeError(`CMA-ES sigma must be > 0, got ${options.sigma}`);
    }
    if (n < 2) throw new RangeError(`CMA-ES needs at least 2 dimensions, got ${n}`);
    if (options.mean.some((m) => !(Math.abs(m) < MEAN_MAX))) {
      throw new RangeError(`CMA-ES mean must be finite and below ${MEAN_MAX} in magnitude`);
    }
    const popsize = options.populationSize ?? 4 + Math.floor(3 * Math.log(n));
    if (!(Number.isInteger(popsize) && popsize > 0)) {
      throw new RangeError(`CMA-ES population size must be a positive integer, got ${popsize}`);
    }
    const cov = options.cov ? [...options.cov] : identity(n);
    return new Cma({
      mean: [...options.mean],
      sigma: options.sigma,
      cov,
      pSigma: new Array(n).fill(0),
      pc: new Array(n).fill(0),
      g: 0,
      popsize,
      bounds: options.bounds ?? null,
      nMaxResampling: options.nMaxResampling ?? 100,
      funhist: new Array(2 * (10 + Math.ceil(30 * n / popsize))).fill(0),
      tolx: 1e-12 * options.sigma,
    });
  }

  /** An optimizer resumed from a saved state (a copy of it: the argument is not changed). */
  constructor(state: CmaState, dim = state.mean.length) {
    this.state = structuredClone(state);
    const n = this.dim = dim;
    const popsize = this.popsize = state.popsize;
    const mu = this.mu = Math.floor(popsize / 2);
    // (eq. 49)
    const wPrime = Array.from(
      { length: popsize },
      (_, i) => Math.log((popsize + 1) / 2) - Math.log(i + 1),
    );
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const head = wPrime.slice(0, mu), tail = wPrime.slice(mu);
    const muEff = this.muEff = sum(head) ** 2 / sum(head.map((w) => w * w));
    const muEffMinus = sum(tail) ** 2 / sum(tail.map((w) => w * w));
    const alphaCov = 2;
    const c1 = this.c1 = alphaCov / ((n + 1.3) ** 2 + muEff);
    const cmu = this.cmu = Math.min(
      1 - c1 - 1e-8,
      alphaCov * (muEff - 2 + 1 / muEff) / ((n + 2) ** 2 + alphaCov * muEff / 2),
    );
    const minAlpha = Math.min(
      1 + c1 / cmu, // eq. 50
      1 + (2 * muEffMinus) / (muEff + 2), // eq. 51
      (1 - c1 - cmu) / (n * cmu), // eq. 52
    );
    // (eq. 53)
    const positiveSum = sum(wPrime.filter((w) => w > 0));
    const negativeSum = sum(wPrime.filter((w) => w < 0).map(Math.abs));
    this.weights = wPrime.map((w) => w >= 0 ? w / positiveSum : minAlpha / negativeSum * w);
    this.cSigma = (muEff + 2) / (n + muEff + 5); // eq. 55
    this.dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + this.cSigma;
    this.cc = (4 + muEff / n) / (n + 4 + 2 * muEff / n); // eq. 56
    this.chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
    this.funhistTerm = 10 + Math.ceil(30 * n / popsize);
  }

  get generation(): number {
    return this.state.g;
  }

  /** One solution: drawn from N(m, σ²C) until inside the bounds, else the last draw clipped. */
  ask(rng: Rng): number[] {
    for (let i = 0; i < this.state.nMaxResampling; i++) {
      const x = this.#sampleSolution(rng);
      if (this.#isFeasible(x)) return x;
    }
    return this.#repair(this.#sampleSolution(rng));
  }

  /** Updates the distribution from exactly `popsize` (solution, value to minimise) pairs. */
  tell(solutions: readonly (readonly [readonly number[], number])[]): void {
    const s = this.state, n = this.dim;
    if (solutions.length !== this.popsize) {
      throw new RangeError(
        `CMA-ES tell() needs ${this.popsize} solutions, got ${solutions.length}`,
      );
    }
    s.g += 1;
    const sorted = [...solutions].sort((a, b) => a[1] - b[1]);
    const idx = 2 * (s.g % this.funhistTerm);
    s.funhist[idx] = sorted[0][1];
    s.funhist[idx + 1] = sorted[sorted.length - 1][1];

    const [b, d] = this.#eigen();
    this.#b = this.#d = null;
    const y = sorted.map(([x]) => x.map((xi, i) => (xi - s.mean[i]) / s.sigma));
    // Selection and recombination (eq. 41)
    const yw = new Array(n).fill(0);
    for (let k = 0; k < this.mu; k++) {
      for (let i = 0; i < n; i++) yw[i] += y[k][i] * this.weights[k];
    }
    for (let i = 0; i < n; i++) s.mean[i] += this.cm * s.sigma * yw[i];

    // Step-size control: C^(-1/2) = B D^-1 Bᵀ
    const c2 = new Array(n * n).fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += b[i * n + k] / d[k] * b[j * n + k];
        c2[i * n + j] = acc;
      }
    }
    const c2yw = matVec(c2, yw, n);
    const psFactor = Math.sqrt(this.cSigma * (2 - this.cSigma) * this.muEff);
    for (let i = 0; i < n; i++) s.pSigma[i] = (1 - this.cSigma) * s.pSigma[i] + psFactor * c2yw[i];
    const normPSigma = Math.hypot(...s.pSigma);
    s.sigma *= Math.exp((this.cSigma / this.dSigma) * (normPSigma / this.chiN - 1));
    s.sigma = Math.min(s.sigma, SIGMA_MAX);

    // Covariance matrix adaptation
    const hLeft = normPSigma / Math.sqrt(1 - (1 - this.cSigma) ** (2 * (s.g + 1)));
    const hRight = (1.4 + 2 / (n + 1)) * this.chiN;
    const hSigma = hLeft < hRight ? 1 : 0;
    const pcFactor = Math.sqrt(this.cc * (2 - this.cc) * this.muEff);
    for (let i = 0; i < n; i++) s.pc[i] = (1 - this.cc) * s.pc[i] + hSigma * pcFactor * yw[i]; // eq. 45
    // eq. 46
    const wio = this.weights.map((w, k) => {
      if (w >= 0) return w;
      const norm2 = matVec(c2, y[k], n).reduce((a, v) => a + v * v, 0);
      return w * n / (norm2 + EPS);
    });
    const deltaHSigma = (1 - hSigma) * this.cc * (2 - this.cc);
    const sumWeights = this.weights.reduce((a, w) => a + w, 0);
    const keep = 1 + this.c1 * deltaHSigma - this.c1 - this.cmu * sumWeights;
    // eq. 47
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rankMu = 0;
        for (let k = 0; k < this.popsize; k++) rankMu += wio[k] * y[k][i] * y[k][j];
        s.cov[i * n + j] = keep * s.cov[i * n + j] + this.c1 * s.pc[i] * s.pc[j] +
          this.cmu * rankMu;
      }
    }
  }

  /** cmaes' termination tests (what an IPOP restart waits for). */
  shouldStop(): boolean {
    const s = this.state, n = this.dim;
    const [b, d] = this.#eigen();
    const dC = Array.from({ length: n }, (_, i) => s.cov[i * n + i]);
    if (
      s.g > this.funhistTerm &&
      Math.max(...s.funhist) - Math.min(...s.funhist) < 1e-12
    ) return true;
    if (dC.every((c) => s.sigma * c < s.tolx) && s.pc.every((p) => s.sigma * p < s.tolx)) {
      return true;
    }
    if (s.sigma * Math.max(...d) > 1e4) return true;
    if (s.mean.some((m, i) => m === m + 0.2 * s.sigma * Math.sqrt(dC[i]))) return true;
    const axis = s.g % n;
    if (s.mean.every((m, r) => m === m + 0.1 * s.sigma * d[axis] * b[r * n + axis])) return true;
    return Math.max(...d) / Math.min(...d) > 1e14;
  }

  /** B (eigenvectors as columns) and D (square roots of the eigenvalues) of C, cached. */
  #eigen(): [number[], number[]] {
    if (this.#b !== null && this.#d !== null) return [this.#b, this.#d];
    const n = this.dim, c = this.state.cov;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        c[i * n + j] = c[j * n + i] = (c[i * n + j] + c[j * n + i]) / 2;
      }
    }
    const { values, vectors: b } = eigh(c, n);
    const d = values.map((v) => Math.sqrt(v < 0 ? EPS : v));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += b[i * n + k] * d[k] * d[k] * b[j * n + k];
        c[i * n + j] = acc;
      }
    }
    this.#b = b;
    this.#d = d;
    return [b, d];
  }

  #sampleSolution(rng: Rng): number[] {
    const n = this.dim, s = this.state;
    const [b, d] = this.#eigen();
    const z = Array.from({ length: n }, () => rng.normal());
    const x = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      let yi = 0;
      for (let k = 0; k < n; k++) yi += b[i * n + k] * d[k] * z[k];
      x[i] = s.mean[i] + s.sigma * yi;
    }
    return x;
  }

  #isFeasible(x: number[]): boolean {
    const bounds = this.state.bounds;
    return bounds === null || x.every((v, i) => v >= bounds[i][0] && v <= bounds[i][1]);
  }

  #repair(x: number[]): number[] {
    const bounds = this.state.bounds;
    if (bounds === null) return x;
    return x.map((v, i) => Math.min(Math.max(v, bounds[i][0]), bounds[i][1]));
  }
}

function identity(n: number): number[] {
  const m = new Array(n * n).fill(0);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

function matVec(m: readonly number[], v: readonly number[], n: number): number[] {
  const out = new Array(n).fill(0);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) out[i] += m[i * n + k] * v[k];
  return out;
}
