/**
 * NSGA-II against Optuna 3.1's NSGAIISampler on ZDT1, ZDT2 and ZDT3 (Zitzler, Deb and Thiele
 * 2000; 30 variables in [0, 1], two objectives minimized), both with their default settings
 * (population 50, uniform crossover, mutation 1/n): the hypervolume of each study's front after
 * 200 trials, from the reference point (11, 11), over 20 seeds a side, computed here for both
 * sides by one function. Also the time of ask + suggest + tell per trial around trial 100 and 500
 * (medians of 10 trials) of one long ZDT1 study a side.
 *
 *   nice deno run --allow-run=/usr/bin/python3 --allow-read bench/nsga2_vs_optuna.ts [seeds] [trials] [nsga2|tpe]
 *
 * With "tpe", both sides use TPE with its defaults, which on two objectives is MOTPE (no timings).
 *
 * @module
 */

import { createStudy } from "../tuner/create_study.ts";
import { paretoFront } from "../tuner/multi_objective/dominance.ts";
import { hypervolume } from "../tuner/multi_objective/hypervolume.ts";
import { NsgaIISampler } from "../tuner/samplers/nsga2/sampler.ts";
import { TpeSampler } from "../tuner/samplers/tpe/sampler.ts";
import type { Trial } from "../tuner/trial.ts";
import { TrialState } from "../tuner/frozen_trial.ts";

const N = 30;
const seeds = Number(Deno.args[0] ?? 20);
const trials = Number(Deno.args[1] ?? 200);
const samplerType = Deno.args[2] ?? "nsga2";
const makeSampler = (seed: number) =>
  samplerType === "nsga2" ? new NsgaIISampler({ seed }) : new TpeSampler({ seed });
const REFERENCE = [11, 11];

function zdt(kind: 1 | 2 | 3) {
  return (trial: Trial): number[] => {
    const x = Array.from({ length: N }, (_, i) => trial.suggestFloat(`x${i}`, 0, 1));
    const f1 = x[0];
    const g = 1 + 9 * x.slice(1).reduce((s, v) => s + v, 0) / (N - 1);
    const r = f1 / g;
    const h = kind === 1
      ? 1 - Math.sqrt(r)
      : kind === 2
      ? 1 - r * r
      : 1 - Math.sqrt(r) - r * Math.sin(10 * Math.PI * f1);
    return [f1, g * h];
  };
}

/** Hypervolume of the front of these value pairs (both minimized) from REFERENCE. */
function frontVolume(values: number[][]): number {
  const asTrials = values.map((v, number) => ({
    id: number,
    number,
    state: TrialState.COMPLETE,
    value: v[0],
    values: v,
    params: {},
    distributions: {},
    intermediateValues: new Map(),
    datetimeStart: null,
    datetimeComplete: null,
    userAttrs: {},
    systemAttrs: {},
  }));
  const front = paretoFront(asTrials, ["minimize", "minimize"]);
  return hypervolume(front.map((t) => t.values as number[]), REFERENCE);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** P(a random ajuste seed's hypervolume > a random Optuna seed's), ties counting half. */
function pGreater(a: number[], b: number[]): number {
  let wins = 0;
  for (const x of a) for (const y of b) wins += x > y ? 1 : x === y ? 0.5 : 0;
  return wins / (a.length * b.length);
}

async function ours(kind: 1 | 2 | 3, seed: number): Promise<number[][]> {
  const study = await createStudy({
    directions: ["minimize", "minimize"],
    sampler: makeSampler(seed),
  });
  await study.optimize(zdt(kind), { nTrials: trials });
  return study.trials.map((t) => [...t.values!]);
}

async function ourOverhead(): Promise<{ "100": number; "500": number }> {
  const study = await createStudy({
    directions: ["minimize", "minimize"],
    sampler: new NsgaIISampler({ seed: 0 }),
  });
  const objective = zdt(1);
  const times: number[] = [];
  for (let i = 0; i < 510; i++) {
    const start = performance.now();
    const trial = await study.ask();
    await study.tell(trial, objective(trial));
    times.push(performance.now() - start);
  }
  return { "100": median(times.slice(95, 105)), "500": median(times.slice(495, 505)) };
}

const python = new Deno.Command("/usr/bin/python3", {
  args: [
    new URL("./nsga2_vs_optuna.py", import.meta.url).pathname,
    String(seeds),
    String(trials),
    samplerType,
  ],
  stdout: "piped",
  stderr: "inherit",
}).output();

const results: Record<string, number[]> = {};
for (const kind of [1, 2, 3] as const) {
  const volumes: number[] = [];
  for (let seed = 0; seed < seeds; seed++) volumes.push(frontVolume(await ours(kind, seed)));
  results[`zdt${kind}`] = volumes;
}
const overhead = samplerType === "nsga2" ? await ourOverhead() : null;
const optuna = JSON.parse(new TextDecoder().decode((await python).stdout)) as {
  values: Record<string, number[][][]>;
  overhead?: { "100": number; "500": number };
};

console.log(
  `${samplerType}: ${seeds} seeds a side, ${trials} trials, hypervolume from (11, 11) (larger is better)\n`,
);
console.log("| function | ajuste median | Optuna 3.1 median | P(ajuste > Optuna) |");
console.log("|---|---|---|---|");
for (const name of ["zdt1", "zdt2", "zdt3"]) {
  const theirs = optuna.values[name].map(frontVolume);
  const mine = results[name];
  console.log(
    `| ${name.toUpperCase()} | ${median(mine).toFixed(3)} | ${median(theirs).toFixed(3)} | ${
      pGreater(mine, theirs).toFixed(2)
    } |`,
  );
}
if (overhead === null || !optuna.overhead) Deno.exit(0);
console.log("\n| per trial (ask + 30 suggests + tell), ms | ajuste | Optuna 3.1 |");
console.log("|---|---|---|");
for (const at of ["100", "500"] as const) {
  console.log(`| trial ${at} | ${overhead[at].toFixed(2)} | ${optuna.overhead![at].toFixed(2)} |`);
}
