/**
 * Exhaustive search over a grid of given values, as Optuna 3.1's `GridSampler`
 * (`optuna/samplers/_grid.py`): every trial takes one not yet visited point of the Cartesian
 * product (in random order), and the study stops once every point has been visited. Which points
 * are taken is read from the study's trials in storage, so workers sharing a study split the grid;
 * the random pick among the rest draws from a generator keyed by (seed, trial number)
 * ({@linkcode trialRng}), so seeded workers do not all reach for the same point.
 *
 * @module
 */

import type { Distribution } from "../distributions.ts";
import { type FrozenTrial, isFinished, type ParamValue, TrialState } from "../frozen_trial.ts";
import type { Study } from "../study.ts";
import type { Sampler } from "./base.ts";
import { randomSeed } from "./random.ts";
import { trialRng } from "./trial_rng.ts";

export interface GridSamplerOptions {
  /** Seed for the order in which points are visited. */
  seed?: number;
}

export class GridSampler implements Sampler {
  /** Parameter names, sorted, and their values. */
  readonly searchSpace: Readonly<Record<string, readonly ParamValue[]>>;
  #names: string[];
  #points: ParamValue[][];
  #seed: number;

  constructor(
    searchSpace: Record<string, readonly ParamValue[]>,
    options: GridSamplerOptions = {},
  ) {
    this.#names = Object.keys(searchSpace).sort();
    for (const name of this.#names) {
      if (!Array.isArray(searchSpace[name]) || searchSpace[name].length === 0) {
        throw new RangeError(
          `Grid for "${name}" is ${JSON.stringify(searchSpace[name])}; give a non-empty list`,
        );
      }
    }
    this.searchSpace = Object.fromEntries(
      this.#names.map((name) => [name, [...searchSpace[name]]]),
    );
    this.#points = this.#names.reduce<ParamValue[][]>(
      (points, name) => points.flatMap((point) => searchSpace[name].map((v) => [...point, v])),
      [[]],
    );
    this.#seed = options.seed ?? randomSeed();
  }

  /** Number of grid points. */
  get size(): number {
    return this.#points.length;
  }

  inferRelativeSearchSpace(): Record<string, Distribution> {
    return {};
  }

  sampleRelative(): Record<string, ParamValue> {
    return {};
  }

  async beforeTrial(study: Study, trial: FrozenTrial): Promise<void> {
    if ("grid_id" in trial.systemAttrs || "fixed_params" in trial.systemAttrs) return;
    let targets = this.#unvisited(study);
    // Only when another worker raced us to the last points: re-evaluate one, as Optuna does.
    if (targets.length === 0) targets = this.#points.map((_, id) => id);
    const gridId = targets[trialRng(this.#seed, trial.number, "grid").int(targets.length)];
    await study.setTrialSystemAttr(trial.id, "search_space", this.searchSpace);
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
    const index = this.#names.indexOf(name);
    if (index < 0) {
      throw new RangeError(
        `Parameter "${name}" is not in the grid; the grid has ${JSON.stringify(this.#names)}`,
      );
    }
    return this.#points[gridId][index];
  }

  afterTrial(study: Study, trial: FrozenTrial): void {
    const targets = this.#unvisited(study);
    const last = targets.length === 1 && targets[0] === trial.systemAttrs.grid_id;
    if (targets.length === 0 || last) study.stop();
  }

  /** Points no finished trial took; points only running trials hold count when nothing else is left. */
  #unvisited(study: Study): number[] {
    const visited = new Set<number>(), running = new Set<number>();
    for (const trial of study.trials) {
      const gridId = trial.systemAttrs.grid_id;
      if (typeof gridId !== "number" || !this.#sameGrid(trial.systemAttrs.search_space)) continue;
      if (isFinished(trial.state)) visited.add(gridId);
      else if (trial.state === TrialState.RUNNING) running.add(gridId);
    }
    const ids = this.#points.map((_, id) => id).filter((id) => !visited.has(id));
    const free = ids.filter((id) => !running.has(id));
    return free.length > 0 ? free : ids;
  }

  #sameGrid(searchSpace: unknown): boolean {
    return JSON.stringify(searchSpace) === JSON.stringify(this.searchSpace);
  }
}
