/**
 * Summarises bench/cpu_bench.sh's JSON files (`<engine>_<round>.json` in the folder given): per
 * engine and batch size, the median over rounds of each run's typical epoch (engine_bench.ts's and
 * pytorch_mlp.py's `medianEpochSeconds`), every round's figure, GFLOP/s at the median, and the
 * device each run reported. Prints a Markdown table.
 *
 *     deno run --allow-read bench/cpu_bench_summary.ts bench/results/cpu
 *
 * @module
 */

interface Report {
  engine: string;
  device: string;
  results: { batch: number; medianEpochSeconds: number; gflopsPerSecond: number }[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const folder = Deno.args[0] ?? "bench/results/cpu";
const runs = new Map<
  string,
  { rounds: [number, number][]; flops: number; devices: Set<string> }
>();
for await (const entry of Deno.readDir(folder)) {
  const match = /^(.+)_(\d+)\.json$/.exec(entry.name);
  if (!match) continue;
  const report: Report = JSON.parse(await Deno.readTextFile(`${folder}/${entry.name}`));
  for (const result of report.results) {
    const key = `${match[1]}\t${result.batch}`;
    const run = runs.get(key) ?? { rounds: [], flops: 0, devices: new Set<string>() };
    run.rounds.push([Number(match[2]), result.medianEpochSeconds]);
    // GFLOP/s × s is the epoch's work, the same in every round.
    run.flops = result.gflopsPerSecond * result.medianEpochSeconds;
    run.devices.add(report.device);
    runs.set(key, run);
  }
}

console.log("| engine | batch | s/epoch (median) | rounds | GFLOP/s | device |");
console.log("| --- | ---: | ---: | --- | ---: | --- |");
for (const [key, run] of [...runs].sort(([a], [b]) => a.localeCompare(b))) {
  const [engine, batch] = key.split("\t");
  const seconds = run.rounds.sort(([a], [b]) => a - b).map(([, s]) => s);
  const typical = median(seconds);
  console.log(
    `| ${engine} | ${batch} | ${typical.toFixed(3)} | ${
      seconds.map((s) => s.toFixed(2)).join(", ")
    } | ${(run.flops / typical).toFixed(1)} | ${[...run.devices].join("; ")} |`,
  );
}
