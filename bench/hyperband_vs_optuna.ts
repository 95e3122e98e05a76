/**
 * ajuste's Hyperband pruner against Optuna 3.1's HyperbandPruner (`hyperband_vs_optuna.py`).
 * Part A replays the same learning curves (100 trials of 27 steps per seed, one trial after
 * another, min resource 1, max resource 27, reduction factor 3) through both and compares each
 * trial's verdict, the steps trained and the best completed value. Part B runs each side's own
 * TPE (defaults, seed s) under Hyperband (max resource "auto") for 100 trials on a curve family
 * set by the params, so the sampler's per-bracket view matters too: the median best value and
 * steps trained, and P(ajuste's best < Optuna's) with a 95% bootstrap interval.
 *
 * ```sh
 * nice deno run --allow-run=/usr/bin/python3 --allow-read bench/hyperband_vs_optuna.ts [seeds=20]
 * ```
 *
 * @module
 */

import { createStudy } from "../tuner/create_study.ts";
import { TrialPruned } from "../tuner/errors.ts";
import { HyperbandPruner } from "../tuner/pruners/hyperband.ts";
import { TpeSampler } from "../tuner/samplers/tpe/sampler.ts";
import { bootstrapInterval, median, probabilityBetter } from "./bench_stats.ts";

const STEPS = 27;

interface OptunaSide {
  version: string;
  replayed: { curves: number[][]; prunedAt: (number | null)[] }[];
  tuned: { best: number[]; steps: number[] };
}

async function replay(name: string, curves: number[][]): Promise<(number | null)[]> {
  const study = await createStudy({
    name,
    pruner: new HyperbandPruner({ minResource: 1, maxResource: STEPS, reductionFactor: 3 }),
  });
  const prunedAt: (number | null)[] = [];
  for (const curve of curves) {
    const trial = await study.ask();
    let stepPruned: number | null = null;
    for (let k = 0; k < curve.length; k++) {
      trial.report(curve[k], k + 1);
      if (await trial.shouldPrune()) {
        stepPruned = k + 1;
        break;
      }
    }
    await study.tell(trial, stepPruned === null ? curve[curve.length - 1] : "PRUNED");
    prunedAt.push(stepPruned);
  }
  return prunedAt;
}

/** The same curve family as the .py: floor and speed set by x and lr, deterministic noise. */
function curve(x: number, lr: number, number: number, step: number): number {
  const floor = 0.05 + (x - 0.3) ** 2 + 0.1 * (Math.log10(lr) + 2) ** 2;
  const rate = 0.05 + 0.4 * x;
  const noise = 0.02 * Math.sin(number * 12.9898 + step * 78.233);
  return floor + 1.5 * Math.exp(-rate * step) + noise;
}

async function tuned(seed: number, nTrials = 100): Promise<[number, number]> {
  const study = await createStudy({
    name: `hbt-${seed}`,
    sampler: new TpeSampler({ seed }),
    pruner: new HyperbandPruner({ minResource: 1, maxResource: "auto", reductionFactor: 3 }),
  });
  let steps = 0;
  await study.optimize(async (trial) => {
    const x = trial.suggestFloat("x", 0, 1);
    const lr = trial.suggestFloat("lr", 1e-4, 1e-1, { log: true });
    let value = NaN;
    for (let step = 1; step <= STEPS; step++) {
      value = curve(x, lr, trial.number, step);
      steps++;
      trial.report(value, step);
      if (await trial.shouldPrune()) throw new TrialPruned();
    }
    return value;
  }, { nTrials });
  return [study.bestValue, steps];
}

/** Steps trained and the best value of a completed trial, from the verdicts of one replay. */
function outcome(curves: number[][], prunedAt: (number | null)[]): [number, number] {
  let steps = 0, best = Infinity;
  curves.forEach((c, i) => {
    steps += prunedAt[i] ?? c.length;
    if (prunedAt[i] === null) best = Math.min(best, c[c.length - 1]);
  });
  return [steps, best];
}

if (import.meta.main) {
  const seeds = Number(Deno.args[0] ?? 20);
  const script = new URL("./hyperband_vs_optuna.py", import.meta.url).pathname;
  const output = await new Deno.Command("/usr/bin/python3", {
    args: [script, String(seeds)],
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`${script} exited with code ${output.code}`);
  const theirs: OptunaSide = JSON.parse(new TextDecoder().decode(output.stdout));

  let same = 0, total = 0;
  const mineA: [number, number][] = [], theirsA: [number, number][] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const { curves, prunedAt } = theirs.replayed[seed];
    const mine = await replay(`hb-${seed}`, curves);
    mine.forEach((step, i) => {
      total++;
      if (step === prunedAt[i]) same++;
    });
    mineA.push(outcome(curves, mine));
    theirsA.push(outcome(curves, prunedAt));
  }
  const started = performance.now();
  const mineB: [number, number][] = [];
  for (let seed = 0; seed < seeds; seed++) mineB.push(await tuned(seed));
  console.error(`ajuste part B: ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const col = (rows: [number, number][], k: 0 | 1) => rows.map((r) => r[k]);
  console.log(`\nPart A, replayed curves: ${same} of ${total} verdicts identical (${seeds} seeds)`);
  console.log(`| | ajuste Hyperband | Optuna ${theirs.version} HyperbandPruner |`);
  console.log("| --- | ---: | ---: |");
  console.log(
    `| median steps trained (of ${100 * STEPS}) | ${median(col(mineA, 0))} | ` +
      `${median(col(theirsA, 0))} |`,
  );
  console.log(
    `| median best completed value | ${median(col(mineA, 1)).toFixed(4)} | ` +
      `${median(col(theirsA, 1)).toFixed(4)} |`,
  );
  const [bestMine, bestTheirs] = [col(mineB, 0), theirs.tuned.best];
  const [low, high] = bootstrapInterval(bestMine, bestTheirs);
  console.log(`\nPart B, TPE + Hyperband, 100 trials, ${seeds} seeds a side`);
  console.log(`| | ajuste | Optuna ${theirs.version} |`);
  console.log("| --- | ---: | ---: |");
  console.log(
    `| median best value | ${median(bestMine).toFixed(4)} | ${median(bestTheirs).toFixed(4)} |`,
  );
  console.log(
    `| median steps trained (of ${100 * STEPS}) | ${median(col(mineB, 1))} | ` +
      `${median(theirs.tuned.steps)} |`,
  );
  console.log(
    `| P(ajuste's best < Optuna's) [95% CI] | ${
      probabilityBetter(bestMine, bestTheirs).toFixed(2)
    } ` +
      `[${low.toFixed(2)}, ${high.toFixed(2)}] | |`,
  );
}
