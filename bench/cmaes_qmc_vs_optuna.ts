/**
 * ajuste's CMA-ES against Optuna 3.1's CmaEsSampler (Debian's cmaes 0.9.1), and ajuste's QMC
 * (scrambled Sobol') against Optuna's QMCSampler, or its RandomSampler where scipy (which
 * Optuna's QMC needs) is missing: all with default settings, one study per seed, on sphere 5-D, a
 * rotated ellipsoid 5-D, Rosenbrock 2-D, Ackley 5-D and Hartmann 6-D (`bench_functions.ts`).
 * Prints the medians of the best values, P(ajuste's best < Optuna's) with a 95% bootstrap
 * interval, and the ms per trial at trials 100 and 500 of a sphere 5-D study.
 *
 * ```sh
 * nice deno run --allow-run=/usr/bin/python3 --allow-read bench/cmaes_qmc_vs_optuna.ts \
 *   [seeds=20] [cma trials=200] [qmc trials=64]
 * ```
 *
 * @module
 */

import { createStudy } from "../tuner/create_study.ts";
import type { Sampler } from "../tuner/samplers/base.ts";
import { CmaEsSampler } from "../tuner/samplers/cmaes/sampler.ts";
import { QmcSampler } from "../tuner/samplers/qmc/sampler.ts";
import { FUNCTIONS, type Objective } from "./bench_functions.ts";
import { bootstrapInterval, median, probabilityBetter } from "./bench_stats.ts";

/** Σ 100^(i/4)·(Rx)_i², R: Givens rotations by 0.7 rad of each neighbouring pair (as the .py). */
const ellipsoid5: Objective = (trial) => {
  const y = Array.from({ length: 5 }, (_, i) => trial.suggestFloat(`x${i}`, -5, 5));
  for (let i = 0; i < 4; i++) {
    const a = y[i], b = y[i + 1];
    y[i] = Math.cos(0.7) * a - Math.sin(0.7) * b;
    y[i + 1] = Math.sin(0.7) * a + Math.cos(0.7) * b;
  }
  return y.reduce((sum, v, i) => sum + 100 ** (i / 4) * v * v, 0);
};

const BENCH: Record<string, { label: string; objective: Objective }> = {
  sphere5: FUNCTIONS.sphere5,
  ellipsoid5: { label: "rotated ellipsoid 5-D (condition 100), [−5, 5]⁵", objective: ellipsoid5 },
  rosenbrock2: FUNCTIONS.rosenbrock2,
  ackley5: FUNCTIONS.ackley5,
  hartmann6: FUNCTIONS.hartmann6,
};

type Side = "cma" | "qmc";
interface Results {
  cma: Record<string, number[]>;
  qmc: Record<string, number[]>;
  msPerTrial: Record<Side, Record<"100" | "500", number>>;
}

const samplers: Record<Side, (seed: number) => Sampler> = {
  cma: (seed) => new CmaEsSampler({ seed }),
  qmc: (seed) => new QmcSampler({ scramble: true, seed }),
};

async function best(sampler: Sampler, objective: Objective, nTrials: number): Promise<number> {
  const study = await createStudy({ sampler });
  await study.optimize(objective, { nTrials });
  return study.bestValue;
}

async function msPerTrial(sampler: Sampler): Promise<Record<"100" | "500", number>> {
  const study = await createStudy({ sampler });
  const times: number[] = [];
  for (let i = 0; i < 505; i++) {
    const start = performance.now();
    const trial = await study.ask();
    await study.tell(trial, FUNCTIONS.sphere5.objective(trial));
    times.push(performance.now() - start);
  }
  return { 100: median(times.slice(95, 105)), 500: median(times.slice(495, 505)) };
}

async function ours(seeds: number, trials: Record<Side, number>): Promise<Results> {
  const results: Results = { cma: {}, qmc: {}, msPerTrial: {} as Results["msPerTrial"] };
  for (const [name, { objective }] of Object.entries(BENCH)) {
    for (const side of ["cma", "qmc"] as const) {
      results[side][name] = [];
      for (let seed = 0; seed < seeds; seed++) {
        results[side][name].push(await best(samplers[side](seed), objective, trials[side]));
      }
    }
    console.error(`ajuste: ${name} done`);
  }
  results.msPerTrial = {
    cma: await msPerTrial(samplers.cma(0)),
    qmc: await msPerTrial(samplers.qmc(0)),
  };
  return results;
}

async function optuna(seeds: number, trials: Record<Side, number>) {
  const script = new URL("./cmaes_qmc_vs_optuna.py", import.meta.url).pathname;
  const output = await new Deno.Command("/usr/bin/python3", {
    args: [script, String(seeds), String(trials.cma), String(trials.qmc)],
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`${script} exited with code ${output.code}`);
  return JSON.parse(new TextDecoder().decode(output.stdout)) as Results & {
    version: string;
    qmcReference: string;
  };
}

function format(value: number): string {
  return value === 0 ? "0" : Math.abs(value) >= 0.01 ? value.toFixed(4) : value.toExponential(2);
}

if (import.meta.main) {
  const seeds = Number(Deno.args[0] ?? 20);
  const trials = { cma: Number(Deno.args[1] ?? 200), qmc: Number(Deno.args[2] ?? 64) };
  const theirs = await optuna(seeds, trials);
  const mine = await ours(seeds, trials);
  const names: Record<Side, [string, string]> = {
    cma: ["ajuste CMA-ES", `Optuna ${theirs.version} CmaEsSampler`],
    qmc: ["ajuste QMC (Sobol', scrambled)", `Optuna ${theirs.version} ${theirs.qmcReference}`],
  };
  for (const side of ["cma", "qmc"] as const) {
    console.log(`\n${trials[side]} trials, ${seeds} seeds a side\n`);
    console.log(`| function | ${names[side].join(" | ")} | P(ajuste's best < Optuna's) [95% CI] |`);
    console.log("| --- | ---: | ---: | ---: |");
    for (const [name, { label }] of Object.entries(BENCH)) {
      const [a, b] = [mine[side][name], theirs[side][name]];
      const [low, high] = bootstrapInterval(a, b);
      console.log(
        `| ${label} | ${format(median(a))} | ${format(median(b))} | ` +
          `${probabilityBetter(a, b).toFixed(2)} [${low.toFixed(2)}, ${high.toFixed(2)}] |`,
      );
    }
    for (const n of ["100", "500"] as const) {
      console.log(
        `| ms per trial at trial ${n}, sphere 5-D | ${mine.msPerTrial[side][n].toFixed(2)} | ` +
          `${theirs.msPerTrial[side][n].toFixed(2)} | |`,
      );
    }
  }
}
