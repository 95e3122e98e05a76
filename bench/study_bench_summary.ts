/**
 * Summarises a bench/study_bench.sh folder (its `times.tsv` and each run's JSON) as Markdown: per
 * round, every side's wall time (and CPU time), the Optuna side that was fastest in that round,
 * and each ajuste side's wall time divided by it (the issue's target: at most 1/3, against Optuna's
 * `n_jobs` at its best); then each side's median over the rounds, the Optuna side with the lowest
 * median, and the median of each ajuste side's per-round ratios. Also each side's best trial
 * value and how many trials completed, so a side that failed or trained other trials shows.
 *
 *     deno run --allow-read bench/study_bench_summary.ts bench/results/study
 *
 * @module
 */

import { median } from "./bench_stats.ts";

interface Run {
  side: string;
  round: number;
  wall: number;
  cpu: number;
  load: number;
  /** The best trial's value and the completed trials, from the side's JSON; null if unreadable. */
  best: number | null;
  complete: number;
  /** ajuste's: the backends its trials' runs reported ("CPU, OpenBLAS 0.3.21 (Haswell, 1 thread)"). */
  devices: string;
}

interface StudyReport {
  trials: { state: string; value: number | null }[];
}

async function readRuns(folder: string): Promise<Run[]> {
  const lines = (await Deno.readTextFile(`${folder}/times.tsv`)).trim().split("\n").slice(1);
  const runs: Run[] = [];
  for (const line of lines) {
    const [side, round, wall, cpu, load, json, devices = ""] = line.split("\t");
    let values: number[] = [];
    try {
      const report: StudyReport = JSON.parse(await Deno.readTextFile(json));
      values = report.trials.filter((t) => t.state === "COMPLETE").map((t) => t.value!);
    } catch {
      // A failed side: no JSON; its log says why.
    }
    runs.push({
      side,
      round: Number(round),
      wall: Number(wall),
      cpu: Number(cpu),
      load: Number(load),
      best: values.length ? Math.max(...values) : null,
      complete: values.length,
      devices,
    });
  }
  return runs;
}

const folder = Deno.args[0] ?? "bench/results/study";
const runs = await readRuns(folder);
const sides = [...new Set(runs.map((r) => r.side))];
const optunaSides = sides.filter((s) => s.startsWith("optuna"));
const ajusteSides = sides.filter((s) => s.startsWith("ajuste"));
const rounds = [...new Set(runs.map((r) => r.round))].sort((a, b) => a - b);
const find = (side: string, round: number) =>
  runs.find((r) => r.side === side && r.round === round && r.complete > 0);

/** The fastest Optuna side of a round (only sides that completed trials count). */
function fastestOptuna(round: number): Run | null {
  const done = optunaSides.map((s) => find(s, round)).filter((r) => r !== undefined);
  return done.length ? done.reduce((a, b) => (b.wall < a.wall ? b : a)) : null;
}

const ratioHeads = ajusteSides.map((s) => `${s} ÷ fastest Optuna`);
console.log(
  `| round | load before | ${sides.join(" | ")} | fastest Optuna | ${ratioHeads.join(" | ")} |`,
);
console.log(`| --- | --- | ${[...sides, "", ...ratioHeads].map(() => "---:").join(" | ")} |`);
const ratios = new Map<string, number[]>(ajusteSides.map((s) => [s, []]));
for (const round of rounds) {
  const loads = runs.filter((r) => r.round === round).map((r) => r.load);
  const best = fastestOptuna(round);
  const cells = sides.map((side) => {
    const run = find(side, round);
    return run ? `${run.wall.toFixed(1)} s (${run.cpu.toFixed(1)} CPU s)` : "failed";
  });
  const ratioCells = ajusteSides.map((side) => {
    const run = find(side, round);
    if (!run || !best) return "";
    const ratio = run.wall / best.wall;
    ratios.get(side)!.push(ratio);
    return ratio.toFixed(2);
  });
  console.log(
    `| ${round} | ${Math.min(...loads)}–${Math.max(...loads)} | ${cells.join(" | ")} | ${
      best ? `${best.side}, ${best.wall.toFixed(1)} s` : ""
    } | ${ratioCells.join(" | ")} |`,
  );
}
const medians = new Map(sides.map((side) => {
  const walls = rounds.map((r) => find(side, r)?.wall).filter((w) => w !== undefined);
  return [side, walls.length ? median(walls) : null];
}));
const bestMedian = optunaSides.filter((s) => medians.get(s) !== null)
  .sort((a, b) => medians.get(a)! - medians.get(b)!)[0];
console.log(
  `| median | | ${
    sides.map((s) => (medians.get(s) ?? null) === null ? "" : `${medians.get(s)!.toFixed(1)} s`)
      .join(" | ")
  } | ${bestMedian ? `${bestMedian} (lowest median)` : ""} | ${
    ajusteSides.map((s) => {
      const r = ratios.get(s)!;
      return r.length ? `${median(r).toFixed(2)} (of the rounds' ratios)` : "";
    }).join(" | ")
  } |`,
);
console.log("\nBest trial value and trials completed, per side and round:");
for (const side of sides) {
  const cells = rounds.map((round) => {
    const run = runs.find((r) => r.side === side && r.round === round);
    return run ? `${run.best?.toFixed(4) ?? "none"} (${run.complete})` : "–";
  });
  console.log(`  ${side}: ${cells.join(", ")}`);
}
const devices = [...new Set(runs.flatMap((r) => r.devices ? [r.devices] : []))];
if (devices.length) console.log(`\najuste's trials trained on: ${devices.join(" | ")}`);
