/**
 * Exhaustive search over a grid of given values, as Optuna 3.1's `GridSampler`
 * (`optuna/samplers/_grid.py`): every trial takes one not yet visited point of the Cartesian
 * product (in random order), and the study stops once every point has been visited. Which points
 * are taken is read from the study's trials in storage, so workers sharing a study split the grid;
 * the random pick among the rest draws from a generator keyed by (seed, trial number)
 * ({@linkcode trialRng}), so seeded workers do not all reach for the same point.
 *
 * Unlike Optuna's, the grid is never written out: a point is a number in mixed radix (one digit
 * per parameter) and each parameter's values are computed from their index, so a grid over a
 * seed's 2³² values, or over four ranges of a thousand values, costs nothing until visited.
 *
 * Also unlike Optuna's, the grid need not be a product: {@linkcode GridPoints} numbers any set of
 * points, such as the valid combinations of a space with sub-spaces per choice (see
 * `config/space_grid.ts`), and a trial takes only the parameters its point has.
 *
 * @module
 */

import type { Distribution } from "../distributions.ts";
import { type FrozenTrial, isFinished, type ParamValue, TrialState } from "../frozen_trial.ts";
import type { Study } from "../study.ts";
import type { Sampler } from "./base.ts";
import { randomSeed } from "./random.ts";
import { trialRng } from "./trial_rng.ts";
import type { Rng } from "../../engine/random.ts";

/** The values of one parameter, by index: a list, or a range computed on demand. */
export interface GridAxis {
  readonly size: number;
  at(index: number): ParamValue;
  /** What the trial records as the grid it came from (the list, or the range's spec). */
  readonly description: unknown;
}

/** Points numbered 0 to size − 1, each the parameters of one trial. */
export interface GridPoints {
  readonly size: number;
  at(id: number): Record<string, ParamValue>;
  /** What trials record as the grid they came from; trials of another grid are not counted. */
  readonly description: unknown;
}

/** The points a grid may have: point numbers must stay exact doubles. */
export const MAX_GRID_POINTS = Number.MAX_SAFE_INTEGER;

/** Unvisited points are listed outright below this many; above, drawn at random and checked. */
const LIST_UNVISITED_BELOW = 100_000;

export interface GridSamplerOptions {
  /** Seed for the order in which points are visited. */
  seed?: number;
}

/** An axis over a list of values. */
export function listAxis(values: readonly ParamValue[]): GridAxis {
  const copy = [...values];
  return { size: copy.length, at: (index) => copy[index], description: copy };
}

function isGridPoints(given: unknown): given is GridPoints {
  return typeof (given as GridPoints).at === "function" &&
    typeof (given as GridPoints).size === "number";
}

/** The Cartesian product of `axes`, the last name (sorted) varying fastest. */
export function productPoints(searchSpace: Record<string, readonly ParamValue[] | GridAxis>) {
  const names = Object.keys(searchSpace).sort();
  const axes: Record<string, GridAxis> = {};
  let size = 1;
  for (const name of names) {
    const given = searchSpace[name];
    const axis = Array.isArray(given) ? listAxis(given) : given as GridAxis;
    if (!Number.isInteger(axis.size) || axis.size < 1) {
      throw new RangeError(
        `Grid for "${name}" is ${JSON.stringify(axis.description)}; give a non-empty list`,
      );
    }
    axes[name] = axis;
    size *= axis.size;
  }
  if (size > MAX_GRID_POINTS) {
    throw new RangeError(
      `The grid has ${size.toPrecision(3)} points (${
        names.map((name) => axes[name].size).join(" × ")
      }), more than ${MAX_GRID_POINTS} can be numbered; use fewer values per parameter`,
    );
  }
  return {
    axes,
    size,
    description: Object.fromEntries(names.map((name) => [name, axes[name].description])),
    at(id: number): Record<string, ParamValue> {
      const point: Record<string, ParamValue> = {};
      let rest = id;
      for (let i = names.length - 1; i >= 0; i--) {
        const axis = axes[names[i]];
        point[names[i]] = axis.at(rest % axis.size);
        rest = Math.floor(rest / axis.size);
      }
      return point;
    },
  };
}

export class GridSampler implements Sampler {
  /** Parameter names, sorted, and their axes; empty for a grid given as points. */
  readonly axes: Readonly<Record<string, GridAxis>>;
  /** Points in the grid. */
  readonly size: number;
  #points: GridPoints;
  #seed: number;
  /** The seed given, if any: the visiting order's, shared by every worker built with it. */
  #givenSeed: number | undefined;
  #description: string;
  #order: { stride: bigint; offset: bigint } | null = null;

  /** A grid over the product of `searchSpace`'s values, or over the given points. */
  constructor(
    searchSpace: Record<string, readonly ParamValue[] | GridAxis> | GridPoints,
    options: GridSamplerOptions = {},
  ) {
    if (isGridPoints(searchSpace)) {
      this.axes = {};
      this.#points = searchSpace;
    } else {
      const product = productPoints(searchSpace);
      this.axes = product.axes;
      this.#points = product;
    }
    this.size = this.#points.size;
    this.#description = JSON.stringify(this.#points.description);
    this.#seed = options.seed ?? randomSeed();
    this.#givenSeed = options.seed;
  }

  inferRelativeSearchSpace(): Record<string, Distribution> {
    return {};
  }

  sampleRelative(): Record<string, ParamValue> {
    return {};
  }

  async beforeTrial(study: Study, trial: FrozenTrial): Promise<void> {
    if ("grid_id" in trial.systemAttrs || "fixed_params" in trial.systemAttrs) return;
    const gridId = this.#pick(study, trial.number, trialRng(this.#seed, trial.number, "grid"));
    await study.setTrialSystemAttr(trial.id, "search_space", this.#points.description);
    await study.setTrialSystemAttr(trial.id, "grid_id", gridId);
  }

  sampleIndependent(
    _study: Study,
    trial: FrozenTrial,
    name: string,
    _distribution: Distribution,
  ): ParamValue {
    const gridId = trial.systemAttrs.grid_id;
    if (typeof gridId !== "number") {
      throw new Error(
        `Trial ${trial.number} has no grid point; with GridSampler, enqueued trials must fix ` +
          `every parameter`,
      );
    }
    const point = this.pointAt(gridId);
    if (!(name in point)) {
      throw new RangeError(
        `Parameter "${name}" is not in the grid: point ${gridId} has ${
          JSON.stringify(Object.keys(point))
        }`,
      );
    }
    return point[name];
  }

  afterTrial(study: Study, trial: FrozenTrial): void {
    const { visited } = this.#taken(study);
    const left = this.size - visited.size;
    const last = left === 1 && !visited.has(trial.systemAttrs.grid_id as number);
    if (left === 0 || last) study.stop();
  }

  /** The parameter values of point `id`. */
  pointAt(id: number): Record<string, ParamValue> {
    return this.#points.at(id);
  }

  /**
   * A point no finished trial took, preferring one no running trial holds either. Trial `number`'s
   * own point in the seeded visiting order comes first: trials started at the same moment (a
   * study's parallel lanes, or workers on several machines) see none of each other's points yet,
   * but their numbers are distinct, so they take distinct points instead of racing to the same.
   */
  #pick(study: Study, number: number, rng: Rng): number {
    const { visited, running } = this.#taken(study);
    const free = (id: number) => !visited.has(id) && !running.has(id);
    const unvisited = (id: number) => !visited.has(id);
    const own = this.#orderAt(study, number % this.size);
    if (free(own)) return own;
    if (this.size - visited.size - running.size > LIST_UNVISITED_BELOW) {
      // Most points are free: a random draw finds one in a few tries.
      for (let tries = 0; tries < 1000; tries++) {
        const id = drawIndex(rng, this.size);
        if (free(id)) return id;
      }
    }
    for (const accept of [free, unvisited]) {
      const ids: number[] = [];
      for (let id = 0; id < this.size && ids.length <= LIST_UNVISITED_BELOW; id++) {
        if (accept(id)) ids.push(id);
      }
      if (ids.length > 0) return ids[rng.int(ids.length)];
    }
    // Only when another worker raced us to the last points: re-evaluate one, as Optuna does.
    return drawIndex(rng, this.size);
  }

  /**
   * Point `k` of the visiting order: an affine permutation k ↦ (a·k + b) mod size, drawn from the
   * given seed, or without one from the study's name — the same for every worker of the study
   * (each builds its own sampler, whose random seeds differ), another for another study.
   */
  #orderAt(study: Study, k: number): number {
    if (this.#order === null) {
      const rng = trialRng(this.#givenSeed ?? nameSeed(study.name), 0, "grid-order");
      let stride = 1 + drawIndex(rng, this.size);
      while (gcd(stride, this.size) !== 1) stride++;
      this.#order = { stride: BigInt(stride), offset: BigInt(drawIndex(rng, this.size)) };
    }
    const { stride, offset } = this.#order;
    return Number((stride * BigInt(k) + offset) % BigInt(this.size));
  }

  /** Points that finished trials of this grid took, and points running trials hold. */
  #taken(study: Study): { visited: Set<number>; running: Set<number> } {
    const visited = new Set<number>(), running = new Set<number>();
    for (const trial of study.trials) {
      const gridId = trial.systemAttrs.grid_id;
      if (typeof gridId !== "number") continue;
      if (JSON.stringify(trial.systemAttrs.search_space) !== this.#description) continue;
      if (isFinished(trial.state)) visited.add(gridId);
      else if (trial.state === TrialState.RUNNING) running.add(gridId);
    }
    return { visited, running };
  }
}

const TWO_32 = 2 ** 32;

/** FNV-1a of `name`'s UTF-16 units: a 32-bit seed. */
function nameSeed(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** A uniform integer in [0, n), for n up to 2^53 (`Rng.int` stops at 2^32). */
function drawIndex(rng: Rng, n: number): number {
  if (n <= TWO_32) return rng.int(n);
  const highs = Math.ceil(n / TWO_32);
  for (;;) {
    const id = rng.int(highs) * TWO_32 + rng.nextU32();
    if (id < n) return id;
  }
}
