/**
 * The test functions the sampler benches share, each with its search space drawn through
 * `suggest*` (the same definitions as `bench_functions.py`, Optuna's side): the six of
 * `tuner_vs_optuna.ts`, and Hartmann-6D and Ackley-5D, standard global-optimisation benchmarks
 * (Surjanovic & Bingham, "Virtual Library of Simulation Experiments",
 * https://www.sfu.ca/~ssurjano/optimization.html).
 *
 * @module
 */

import type { Trial } from "../tuner/trial.ts";

export type Objective = (trial: Trial) => number;

function sphere(dim: number): Objective {
  return (trial) => {
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += trial.suggestFloat(`x${i}`, -5, 5) ** 2;
    return sum;
  };
}

const HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2];
const HARTMANN_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const HARTMANN_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));

function hartmann6(trial: Trial): number {
  const x = Array.from({ length: 6 }, (_, j) => trial.suggestFloat(`x${j}`, 0, 1));
  let sum = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += HARTMANN_A[i][j] * (x[j] - HARTMANN_P[i][j]) ** 2;
    sum += HARTMANN_ALPHA[i] * Math.exp(-inner);
  }
  return -sum;
}

function ackley(dim: number): Objective {
  return (trial) => {
    const x = Array.from({ length: dim }, (_, j) => trial.suggestFloat(`x${j}`, -32.768, 32.768));
    const squares = x.reduce((sum, v) => sum + v * v, 0) / dim;
    const cosines = x.reduce((sum, v) => sum + Math.cos(2 * Math.PI * v), 0) / dim;
    return -20 * Math.exp(-0.2 * Math.sqrt(squares)) - Math.exp(cosines) + 20 + Math.E;
  };
}

export const FUNCTIONS: Record<string, { label: string; objective: Objective }> = {
  sphere2: { label: "sphere 2-D, [−5, 5]²", objective: sphere(2) },
  sphere5: { label: "sphere 5-D, [−5, 5]⁵", objective: sphere(5) },
  rosenbrock2: {
    label: "Rosenbrock 2-D, [−2, 2]²",
    objective: (trial) => {
      const x = trial.suggestFloat("x", -2, 2), y = trial.suggestFloat("y", -2, 2);
      return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    },
  },
  branin: {
    label: "Branin (min 0.3979)",
    objective: (trial) => {
      const x = trial.suggestFloat("x", -5, 10), y = trial.suggestFloat("y", 0, 15);
      const b = 5.1 / (4 * Math.PI ** 2), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
      return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * Math.cos(x) + 10;
    },
  },
  lr_valley: {
    label: "(log₁₀ lr + 2.5)², lr ∈ [1e−5, 1] log",
    objective: (trial) => (Math.log10(trial.suggestFloat("lr", 1e-5, 1, { log: true })) + 2.5) ** 2,
  },
  mixed: {
    label: "mixed: categorical + float + int step",
    objective: (trial) => {
      const optimizer = trial.suggestCategorical("optimizer", ["sgd", "rmsprop", "adam"]);
      const x = trial.suggestFloat("x", -3, 3);
      const units = trial.suggestInt("units", 16, 256, { step: 16 });
      const offset = { sgd: 1, rmsprop: 0.5, adam: 0 }[optimizer];
      return (x - 1) ** 2 + offset + ((units - 128) / 128) ** 2;
    },
  },
  hartmann6: { label: "Hartmann 6-D, [0, 1]⁶ (min −3.3224)", objective: hartmann6 },
  ackley5: { label: "Ackley 5-D, [−32.768, 32.768]⁵ (min 0)", objective: ackley(5) },
};
