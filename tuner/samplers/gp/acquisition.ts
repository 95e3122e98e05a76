/**
 * The acquisition function the GP sampler maximises, Optuna 4's `LogEI` (`optuna/_gp/acqf.py`):
 * log expected improvement of the posterior over the best standardised value so far, with its
 * gradient in the continuous parameters by the chain rule through the posterior.
 *
 * @module
 */

import type { GpRegressor } from "./gp.ts";
import { logEi } from "./log_ei.ts";
import type { GpSearchSpace } from "./search_space.ts";

export interface Acquisition {
  readonly space: GpSearchSpace;
  /** Per parameter, the fitted length scale (preconditions the local search). */
  readonly lengthScales: Float64Array;
  value(x: ArrayLike<number>): number;
  /** The value and its gradient with respect to x_d for each d in `indices`. */
  valueAndGradient(
    x: ArrayLike<number>,
    indices: readonly number[],
  ): { value: number; gradient: Float64Array };
}

export class LogEiAcquisition implements Acquisition {
  readonly lengthScales: Float64Array;

  constructor(
    readonly gp: GpRegressor,
    readonly space: GpSearchSpace,
    /** The best standardised value so far (the values are maximised). */
    readonly threshold: number,
  ) {
    this.lengthScales = gp.lengthScales;
  }

  value(x: ArrayLike<number>): number {
    const { mean, variance } = this.gp.posterior(x);
    return logEi(mean, variance, this.threshold).value;
  }

  valueAndGradient(x: ArrayLike<number>, indices: readonly number[]) {
    const posterior = this.gp.posteriorWithGradient(x, indices);
    const { value, dMean, dVariance } = logEi(posterior.mean, posterior.variance, this.threshold);
    const gradient = posterior.meanGradient.map((dm, g) =>
      dMean * dm + dVariance * posterior.varianceGradient[g]
    );
    return { value, gradient };
  }
}
