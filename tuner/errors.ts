/**
 * The exception an objective throws to stop a trial early, as Optuna's `optuna.TrialPruned`.
 *
 * @module
 */

/**
 * Thrown from an objective when `trial.shouldPrune()` says so; `study.optimize()` then records
 * the trial as PRUNED instead of FAIL.
 *
 * @example
 * ```ts
 * import { createStudy } from "./mod.ts";
 *
 * const study = await createStudy({ direction: "maximize" });
 * await study.optimize(async (trial) => {
 *   const lr = trial.suggestFloat("lr", 1e-4, 1e-1, { log: true });
 *   let accuracy = 0;
 *   for (let epoch = 0; epoch < 10; epoch++) {
 *     accuracy = 1 - Math.abs(Math.log10(lr) + 2) / (epoch + 2);
 *     trial.report(accuracy, epoch);
 *     if (await trial.shouldPrune()) throw new TrialPruned();
 *   }
 *   return accuracy;
 * }, { nTrials: 20 });
 * ```
 */
export class TrialPruned extends Error {
  constructor(message = "Trial was pruned") {
    super(message);
    this.name = "TrialPruned";
  }
}
