/**
 * ajuste's TPE against Optuna 3.1's, both with default settings: the median best value over
 * seeds on the same functions, and the sampler's cost per trial (ask + suggest + tell) near the
 * end of 100- and 1000-trial studies. Runs `bench/tuner_vs_optuna.py` for the Optuna side,
 * prints one markdown table and writes it under "Tuner vs Optuna" in `bench/README.md`.
 *
 * ```sh
 * deno run --allow-run=/usr/bin/python3 --allow-read --allow-write=bench/README.md \
 *   bench/tuner_vs_optuna.ts [seeds=20] [trials=50]
 * ```
 *
 * @module
 */

import { createStudy } from "../tuner/create_study.ts";
import { TpeSampler } from "../tuner/samplers/tpe/sampler.ts";
import { FUNCTIONS as SHARED, type Objective } from "./bench_functions.ts";
import { median, probabilityBetter } from "./bench_stats.ts";

/** The six functions this bench has always run (bench_functions.ts adds two the GP bench uses). */
const FUNCTIONS = Object.fromEntries(
  ["sphere2", "sphere5", "rosenbrock2", "branin", "lr_valley", "mixed"].map((name) => [
    name,
    SHARED[name],
  ]),
);

interface Results {
  /** Per function, the best value of each seed's study. */
  bests: Record<string, number[]>;
  msPerTrial: Record<"100" | "1000", number>;
}

async function bestValue(objective: Objective, seed: number, nTrials: number): Promise<number> {
  const study = await createStudy({ sampler: new TpeSampler({ seed }) });
  await study.optimize(objective, { nTrials });
  return study.bestValue;
}

/** Mean milliseconds of ask + suggest + tell over the last `window` of `nTrials` trials. */
async function msPerTrialAt(nTrials: number, seeds: number, window = 10): Promise<number> {
  const times: number[] = [];
  const objective = SHARED.sphere5.objective;
  for (let seed = 0; seed < seeds; seed++) {
    const study = await createStudy({ sampler: new TpeSampler({ seed }) });
    for (let number = 0; number < nTrials; number++) {
      const start = performance.now();
      const trial = await study.ask();
      await study.tell(trial, objective(trial));
      if (number >= nTrials - window) times.push(performance.now() - start);
    }
  }
  return times.reduce((sum, t) => sum + t, 0) / times.length;
}

/** Standard error of {@linkcode probabilityBetter} under parity (Mann–Whitney U / n²). */
function parityStandardError(n: number): number {
  return Math.sqrt((2 * n + 1) / (12 * n * n));
}

async function ours(seeds: number, nTrials: number): Promise<Results> {
  const bests: Record<string, number[]> = {};
  for (const [name, { objective }] of Object.entries(FUNCTIONS)) {
    bests[name] = [];
    for (let seed = 0; seed < seeds; seed++) {
      bests[name].push(await bestValue(objective, seed, nTrials));
    }
  }
  return {
    bests,
    msPerTrial: { 100: await msPerTrialAt(100, 3), 1000: await msPerTrialAt(1000, 1) },
  };
}

async function optuna(seeds: number, nTrials: number): Promise<Results & { version: string }> {
  const script = new URL("./tuner_vs_optuna.py", import.meta.url).pathname;
  const output = await new Deno.Command("/usr/bin/python3", {
    args: [script, String(seeds), String(nTrials)],
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`${script} exited with code ${output.code}`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

function format(value: number): string {
  return value === 0 ? "0" : Math.abs(value) >= 0.01 ? value.toFixed(4) : value.toExponential(2);
}

function table(mine: Results, theirs: Results & { version: string }): string {
  const header = [
    "function",
    "ajuste TPE",
    `Optuna ${theirs.version} TPE`,
    "P(ajuste's best < Optuna's)",
  ];
  const rows = [
    ...Object.entries(FUNCTIONS).map(([name, { label }]) => [
      label,
      format(median(mine.bests[name])),
      format(median(theirs.bests[name])),
      probabilityBetter(mine.bests[name], theirs.bests[name]).toFixed(2),
    ]),
    ...(["100", "1000"] as const).map((n) => [
      `ms per trial (ask + suggest + tell) at trial ${n}, sphere 5-D`,
      mine.msPerTrial[n].toFixed(2),
      theirs.msPerTrial[n].toFixed(2),
      "",
    ]),
  ];
  // Padded the way `deno fmt` pads tables: first column left-aligned, the others right-aligned.
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

/** Replaces (or appends) the "Tuner vs Optuna" section, leaving other sections alone. */
async function writeReadme(section: string): Promise<void> {
  const path = new URL("./README.md", import.meta.url).pathname;
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    text = "# Benchmarks\n";
  }
  const heading = "## Tuner vs Optuna";
  const start = text.indexOf(heading);
  if (start < 0) {
    await Deno.writeTextFile(path, `${text.trimEnd()}\n\n${section}\n`);
    return;
  }
  const next = text.indexOf("\n## ", start + heading.length);
  const rest = next < 0 ? "" : text.slice(next + 1);
  await Deno.writeTextFile(path, `${text.slice(0, start)}${section}\n${rest ? `\n${rest}` : ""}`);
}

if (import.meta.main) {
  const seeds = Number(Deno.args[0] ?? 20), nTrials = Number(Deno.args[1] ?? 50);
  const [theirs, mine] = [await optuna(seeds, nTrials), await ours(seeds, nTrials)];
  const result = table(mine, theirs);
  console.log(result);
  const command = "deno run --allow-run=/usr/bin/python3 --allow-read " +
    "--allow-write=bench/README.md bench/tuner_vs_optuna.ts";
  const twoStandardErrors = (2 * parityStandardError(seeds)).toFixed(2);
  const about = `${new Date().toISOString().slice(0, 10)}, a 2-core CPU box, ` +
    `Deno ${Deno.version.deno}, Optuna ${theirs.version} on Debian's /usr/bin/python3. ` +
    `Command: \`${command}\`. Both samplers use their defaults (10 random startup trials, ` +
    `24 EI candidates, univariate). Values: median over ${seeds} seeds of the best value after ` +
    `${nTrials} trials, lower is better; the last column compares all seed pairs: 0.5 is parity, ` +
    `and with ${seeds} seeds a side 0.5 ± ${twoStandardErrors} is within two standard errors ` +
    `of it. ajuste keeps Optuna 3.1's kernel density (no 1/σ; see ` +
    `\`tuner/samplers/tpe/parzen_estimator.ts\`). Timings: mean of the last 10 trials of 3 ` +
    `studies (100 trials) and of 1 study (1000 trials), in-memory storage.`;
  await writeReadme(["## Tuner vs Optuna", "", wrap(about), "", result].join("\n"));
}
