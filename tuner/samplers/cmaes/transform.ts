/**
 * Numeric parameters to and from the continuous box CMA-ES and QMC work in, as Optuna 3.1's
 * `_SearchSpaceTransform` (`optuna/_transform.py`, `transform_log=True, transform_step=True`)
 * does it for float and int distributions: log ranges in log space, stepped ranges (integers
 * included) widened by half a step each side and rounded back to the grid.
 *
 * @module
 */

import { type Distribution, FloatDistribution, type IntDistribution } from "../../distributions.ts";
import type { ParamValue } from "../../frozen_trial.ts";

type Numeric = FloatDistribution | IntDistribution;

export class SearchSpaceTransform {
  readonly names: string[];
  readonly distributions: Numeric[];
  /** [low, high] of each dimension in the transformed space. */
  readonly bounds: [number, number][];

  /** `space` must hold only float and int distributions; names keep their order. */
  constructor(space: Record<string, Distribution>) {
    this.names = Object.keys(space);
    this.distributions = this.names.map((name) => {
      const d = space[name];
      if (d.type === "categorical") {
        throw new TypeError(`Parameter "${name}" is categorical; only numeric ones transform`);
      }
      return d;
    });
    this.bounds = this.distributions.map(boundsOf);
  }

  /** A parameter set's point in the transformed space. */
  transform(params: Readonly<Record<string, ParamValue>>): number[] {
    return this.names.map((name, i) => {
      const value = params[name] as number;
      return this.distributions[i].log ? Math.log(value) : value;
    });
  }

  /** The parameter values of a point (clipped into each range, rounded onto its grid). */
  untransform(x: readonly number[]): Record<string, number> {
    const params: Record<string, number> = {};
    this.names.forEach((name, i) => {
      params[name] = untransformOne(x[i], this.distributions[i]);
    });
    return params;
  }
}

function boundsOf(d: Numeric): [number, number] {
  if (d instanceof FloatDistribution) {
    if (d.log) return [Math.log(d.low), Math.log(d.high)];
    const half = d.step === null ? 0 : 0.5 * d.step;
    return [d.low - half, d.high + half];
  }
  const half = 0.5 * d.step;
  if (d.log) return [Math.log(d.low - half), Math.log(d.high + half)];
  return [d.low - half, d.high + half];
}

function untransformOne(x: number, d: Numeric): number {
  const clip = (v: number) => Math.min(Math.max(v, d.low), d.high);
  if (d instanceof FloatDistribution) {
    if (d.step !== null && !d.log) {
      return clip(Math.round((x - d.low) / d.step) * d.step + d.low);
    }
    const value = d.log ? Math.exp(x) : x;
    // Optuna keeps floats below high (numpy.nextafter(high, high − 1)); clipped to low as well,
    // since exp(log(low)) may round under low.
    return d.single() ? value : Math.max(Math.min(value, nextBelow(d.high)), d.low);
  }
  if (d.log) return clip(Math.round(Math.exp(x)));
  return clip(Math.round((x - d.low) / d.step) * d.step + d.low);
}

/** The largest double below `x` (finite x). */
export function nextBelow(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, x > 0 ? bits - 1n : bits + 1n);
  return view.getFloat64(0);
}
