/**
 * ajuste's GP sampler against Optuna 3.1's TPE (Debian's Optuna has no GPSampler; it came in
 * 3.6), both with default settings, on the shared functions (`bench_functions.ts`): the median
 * best value over seeds after 40 and 80 trials (read from one 80-trial study per seed: a sampler
 * does not know the budget, so the best after 40 trials is that of a 40-trial study), the
 * probability that a seed of ours ends lower than a seed of Optuna's with a bootstrap interval,
 * and the sampler's cost per trial (ask + suggest + tell) at trial 100 and 500 of a sphere 5-D
 * study whose earlier trials are added at random. Runs `bench/gp_vs_optuna.py` for the Optuna
 * side, prints one markdown table and writes it under "GP sampler vs Optuna's TPE" in
 * `bench/README.md`.
 *
 * ```sh
 * deno run --allow-run=/usr/bin/python3 --allow-read --allow-write=bench/README.md \
 *   bench/gp_vs_optuna.ts [seeds=20] [checkpoints=40,80]
 * ```
 *
 * @module
 */

import { Rng } from "../engine/random.ts";
import { createStudy } from "../tuner/create_study.ts";
import { FloatDistribution } from "../tuner/distributions.ts";
import { GpSampler } from "../tuner/samplers/gp/sampler.ts";
import { FUNCTIONS, type Objective } from "./bench_functions.ts";
import { bootstrapInterval, median, probabilityBetter } from "./bench_stats.ts";

interface Results {
  /** Per function and checkpoint, the best value of each seed's study. */
  bests: Record<string, Record<string, number[]>>;
  msPerTrial: Record<"100" | "500", number>;
}

async function bestsAt(objective: Objective, seed: number, checkpoints: number[]) {
  const study = await createStudy({ sampler: new GpSampler({ seed }) });
  await study.optimize(objective, { nTrials: Math.max(...checkpoints) });
  const values = study.trials.map((trial) => trial.value!);
  return checkpoints.map((n) => Math.min(...values.slice(0, n)));
}

/** Mean ms of ask + suggest + tell for trials n…n+timed−1, after one untimed (warm-up) trial. */
async function msPerTrialAt(nTrials: number, timed = 3): Promise<number> {
  const rng = new Rng(0);
  const objective = FUNCTIONS.sphere5.objective;
  const distribution = new FloatDistribution(-5, 5);
  const names = Array.from({ length: 5 }, (_, i) => `x${i}`);
  const study = await createStudy({ sampler: new GpSampler({ seed: 0 }) });
  for (let i = 0; i < nTrials - 2; i++) {
    const params = Object.fromEntries(names.map((name) => [name, -5 + 10 * rng.uniform()]));
    await study.addTrial({
      state: "COMPLETE",
      value: Object.values(params).reduce((sum, v) => sum + v * v, 0),
      params,
      distributions: Object.fromEntries(names.map((name) => [name, distribution])),
    });
  }
  const times: number[] = [];
  for (let number = 0; number <= timed; number++) {
    const start = performance.now();
    const trial = await study.ask();
    await study.tell(trial, objective(trial));
    if (number > 0) times.push(performance.now() - start);
  }
  return times.reduce((sum, t) => sum + t, 0) / times.length;
}

async function ours(seeds: number, checkpoints: number[]): Promise<Results> {
  const bests: Results["bests"] = {};
  for (const [name, { objective }] of Object.entries(FUNCTIONS)) {
    const perSeed: number[][] = [];
    for (let seed = 0; seed < seeds; seed++) {
      perSeed.push(await bestsAt(objective, seed, checkpoints));
    }
    bests[name] = Object.fromEntries(checkpoints.map((n, k) => [n, perSeed.map((row) => row[k])]));
    console.error(`ajuste GP: ${name} done`);
  }
  return { bests, msPerTrial: { 100: await msPerTrialAt(100), 500: await msPerTrialAt(500) } };
}

async function optuna(seeds: number, checkpoints: number[]) {
  const script = new URL("./gp_vs_optuna.py", import.meta.url).pathname;
  const output = await new Deno.Command("/usr/bin/python3", {
    args: [script, String(seeds), checkpoints.join(",")],
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`${script} exited with code ${output.code}`);
  return JSON.parse(new TextDecoder().decode(output.stdout)) as Results & { version: string };
}

function format(value: number): string {
  return value === 0 ? "0" : Math.abs(value) >= 0.01 ? value.toFixed(4) : value.toExponential(2);
}

function table(mine: Results, theirs: Results & { version: string }, checkpoints: number[]) {
  const header = [
    "function",
    "trials",
    "ajuste GP",
    `Optuna ${theirs.version} TPE`,
    "P(ajuste's best < Optuna's) [95% CI]",
  ];
  const rows = [
    ...Object.entries(FUNCTIONS).flatMap(([name, { label }]) =>
      checkpoints.map((n) => {
        const [a, b] = [mine.bests[name][n], theirs.bests[name][n]];
        const [low, high] = bootstrapInterval(a, b);
        return [
          label,
          String(n),
          format(median(a)),
          format(median(b)),
          `${probabilityBetter(a, b).toFixed(2)} [${low.toFixed(2)}, ${high.toFixed(2)}]`,
        ];
      })
    ),
    ...(["100", "500"] as const).map((n) => [
      `ms per trial (ask + suggest + tell) at trial ${n}, sphere 5-D`,
      "",
      mine.msPerTrial[n].toFixed(1),
      theirs.msPerTrial[n].toFixed(1),
      "",
    ]),
  ];
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((row) => row[c].length)));
  const line = (cells: string[]) =>
    `| ${
      cells.map((cell, c) => c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join(
        " | ",
      )
    } |`;
  const rule = `| ${
    widths.map((w, c) => c === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`).join(" | ")
  } |`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** Greedy wrap at `width` columns as `deno fmt` wraps prose; code spans are never split. */
function wrap(text: string, width = 100): string {
  const words = text.match(/`[^`]*`\S*|\S+/g) ?? [];
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.join("\n");
}

const HEADING = "## GP sampler vs Optuna's TPE";

/** Replaces this bench's section, or puts it after "Tuner vs Optuna"; other sections stay. */
async function writeReadme(section: string): Promise<void> {
  const path = new URL("./README.md", import.meta.url).pathname;
  const text = await Deno.readTextFile(path);
  let start = text.indexOf(HEADING), end: number;
  if (start >= 0) {
    end = text.indexOf("\n## ", start + HEADING.length);
  } else {
    const after = text.indexOf("## Tuner vs Optuna");
    start = after < 0 ? -1 : text.indexOf("\n## ", after + 1);
    start = start < 0 ? text.length : start + 1;
    end = start - 1;
  }
  const before = text.slice(0, start).trimEnd();
  const rest = end < 0 ? "" : text.slice(end + 1);
  await Deno.writeTextFile(path, `${before}\n\n${section}\n${rest ? `\n${rest}` : ""}`);
}

if (import.meta.main) {
  const seeds = Number(Deno.args[0] ?? 20);
  const checkpoints = (Deno.args[1] ?? "40,80").split(",").map(Number);
  const theirs = await optuna(seeds, checkpoints);
  const started = performance.now();
  const mine = await ours(seeds, checkpoints);
  const minutes = ((performance.now() - started) / 60000).toFixed(1);
  const result = table(mine, theirs, checkpoints);
  console.log(result);
  const command = "deno run --allow-run=/usr/bin/python3 --allow-read " +
    "--allow-write=bench/README.md bench/gp_vs_optuna.ts" +
    (Deno.args.length ? ` ${Deno.args.join(" ")}` : "");
  const about = `${new Date().toISOString().slice(0, 10)}, a 2-core CPU box shared with other ` +
    `jobs, Deno ${Deno.version.deno}, Optuna ${theirs.version} on Debian's /usr/bin/python3 ` +
    `(no GPSampler before Optuna 3.6, so its TPE is the reference). Command: \`${command}\`. ` +
    `Both samplers use their defaults (10 random startup trials). Values: median over ${seeds} ` +
    `seeds a side of the best value after ${checkpoints.join(" and ")} trials, lower is better ` +
    `(one ${Math.max(...checkpoints)}-trial study per seed, read at each checkpoint). The last ` +
    `column compares all seed pairs (0.5 is parity) with a 95% bootstrap interval (seeds ` +
    `resampled on both sides). Timings: mean of 3 trials after one untimed one, in a sphere 5-D ` +
    `study whose earlier trials were added at random, in-memory storage; the GP refits its ` +
    `kernel on every trial (O(n³) in the trials), with no cap, as Optuna's GPSampler. ajuste's ` +
    `GP side took ${minutes} min here.`;
  await writeReadme([HEADING, "", wrap(about), "", result].join("\n"));
}
