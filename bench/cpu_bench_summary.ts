/**
 * Summarises a bench/cpu_bench.sh folder (its `runs.tsv` and each run's JSON) as the Markdown
 * table bench/README.md carries: per data set, batch and engine, the median over rounds of each
 * run's typical epoch (engine_bench.ts's and pytorch_mlp.py's `medianEpochSeconds`, the median of
 * epochs 2..N), every round's figure, their spread ((max − min) / median), the 1-minute load
 * average before each run, and per round the ratio to PyTorch on the same threads: to the PyTorch
 * run with the same OpenBLAS variables (the issue's comparison), and to the fastest PyTorch run of
 * that round on those threads (any variables or OpenMP wait policy; the minimum of noisy runs
 * favours PyTorch), each as the median of the rounds' ratios and their range. The kernel OpenBLAS
 * picked and the threads are the ones each run reported, not the ones asked for.
 *
 *     deno run --allow-read bench/cpu_bench_summary.ts bench/results/cpu
 *
 * @module
 */

import { median } from "./bench_stats.ts";

interface Run {
  round: number;
  set: string;
  batch: number;
  engine: string;
  load: number;
  seconds: number | null;
  trainRows: number | null;
  testAccuracy: number | null;
  device: string;
}

interface Report {
  device: string;
  results: {
    batch: number;
    medianEpochSeconds: number;
    trainRows: number;
    testAccuracy: number[];
  }[];
}

async function readRuns(folder: string): Promise<Run[]> {
  const lines = (await Deno.readTextFile(`${folder}/runs.tsv`)).trim().split("\n").slice(1);
  const runs: Run[] = [];
  for (const line of lines) {
    const [round, set, batch, engine, load, status, json] = line.split("\t");
    const run: Run = {
      round: Number(round),
      set,
      batch: Number(batch),
      engine,
      load: Number(load),
      seconds: null,
      trainRows: null,
      testAccuracy: null,
      device: "",
    };
    if (status === "ok") {
      const report: Report = JSON.parse(await Deno.readTextFile(json));
      const result = report.results.find((r) => r.batch === run.batch)!;
      run.seconds = result.medianEpochSeconds;
      run.trainRows = result.trainRows;
      run.testAccuracy = result.testAccuracy.at(-1) ?? null;
      run.device = report.device;
    }
    runs.push(run);
  }
  return runs;
}

/** "Haswell, 2 threads" from either side's device string; torch's own threads after it. */
function blasSetting(device: string): string {
  const ajuste = /OpenBLAS \S+ \((?:(\w+), )?(\d+) threads?\)/.exec(device);
  if (ajuste) return `${ajuste[1] ?? "?"}, ${ajuste[2]}`;
  const openblas = /\(OpenBLAS (\w+), (\d+) threads\)/.exec(device);
  const torch = /^CPU, (\d+) threads/.exec(device);
  if (openblas) return `${openblas[1]}, ${openblas[2]} (torch ${torch?.[1] ?? "?"})`;
  return device;
}

function label(engine: string): string {
  const threads = engine.includes("-all") ? "all cores" : "1 thread";
  const side = engine.startsWith("torch")
    ? "PyTorch 1.13"
    : engine.startsWith("wasm")
    ? "ajuste CPU, WebAssembly"
    : engine.startsWith("reference")
    ? "ajuste CPU reference"
    : "ajuste CPU, OpenBLAS";
  const passive = engine.includes("-passive")
    ? ", OMP_WAIT_POLICY=PASSIVE"
    : engine.includes("-default")
    ? ", no thread settings"
    : "";
  const unset = engine.endsWith("-unset") ? ", variables unset" : "";
  return `${side}, ${threads}${passive}${unset} (\`${engine}\`)`;
}

/** PyTorch's engine on the same threads with the same OpenBLAS variables, as the issue asks. */
function pytorchPeer(engine: string): string {
  const threads = engine.includes("-all") ? "torch-all" : "torch1";
  return engine.endsWith("-unset") ? `${threads}-unset` : threads;
}

/** Every PyTorch engine measured on the same threads (any variables or OpenMP wait policy). */
function pytorchSameThreads(runs: Run[], engine: string): string[] {
  const all = engine.includes("-all");
  return [...new Set(runs.map((r) => r.engine))].filter((e) =>
    e.startsWith("torch") && e.includes("-all") === all
  );
}

function ratios(runs: Run[], of: Run[], peers: string[]): string {
  const perRound: number[] = [];
  for (const run of of) {
    const theirs = runs.filter((r) =>
      r.round === run.round && r.set === run.set && r.batch === run.batch &&
      peers.includes(r.engine) && r.seconds !== null
    );
    if (run.seconds === null || theirs.length < peers.length) continue;
    perRound.push(run.seconds / Math.min(...theirs.map((r) => r.seconds!)));
  }
  if (perRound.length === 0) return "";
  const range = perRound.length > 1
    ? ` (${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)})`
    : "";
  return `${median(perRound).toFixed(2)}×${range}`;
}

function seconds(value: number): string {
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

const folder = Deno.args[0] ?? "bench/results/cpu";
const runs = await readRuns(folder);
const machine = (await Deno.readTextFile(`${folder}/machine.txt`)).trim();
const loads = runs.map((r) => r.load);
console.log(
  `${machine}; ${Math.max(...runs.map((r) => r.round))} rounds; 1-minute load average ` +
    `${Math.min(...loads)}–${Math.max(...loads)} before the runs\n`,
);
console.log(
  "| data (train rows) | batch | engine (`cpu_bench.sh` name) | OpenBLAS kernel, threads | " +
    "s/epoch (median) | the rounds (s) | spread | load before | ÷ `torch1` or `torch-all` (`-unset` alike) | " +
    "÷ fastest PyTorch, same threads | test acc. (round 1) |",
);
console.log("| --- | ---: | --- | --- | ---: | --- | ---: | --- | ---: | ---: | ---: |");
const keys = [...new Set(runs.map((r) => `${r.set}\t${r.batch}\t${r.engine}`))];
const failures: string[] = [];
for (const key of keys) {
  const [set, batch, engine] = key.split("\t");
  const mine = runs.filter((r) => r.set === set && r.batch === Number(batch) && r.engine === engine)
    .sort((a, b) => a.round - b.round);
  const done = mine.filter((r) => r.seconds !== null);
  for (const run of mine) if (run.seconds === null) failures.push(`${key} round ${run.round}`);
  if (done.length === 0) continue;
  const times = done.map((r) => r.seconds!);
  const typical = median(times);
  const spread = (Math.max(...times) - Math.min(...times)) / typical;
  const settings = [...new Set(done.map((r) => blasSetting(r.device)))].join("; ");
  const sameVariables = engine === pytorchPeer(engine)
    ? "1×"
    : ratios(runs, done, [pytorchPeer(engine)]);
  const fastest = ratios(runs, done, pytorchSameThreads(runs, engine));
  const accuracy = done[0].testAccuracy === null
    ? ""
    : `${(done[0].testAccuracy * 100).toFixed(2)}%`;
  console.log(
    `| ${set} (${done[0].trainRows}) | ${batch} | ${label(engine)} | ${settings} | ${
      seconds(typical)
    } | ${times.map(seconds).join(", ")} | ${(spread * 100).toFixed(0)}% | ${
      mine.map((r) => r.load.toFixed(1)).join(", ")
    } | ${sameVariables} | ${fastest} | ${accuracy} |`,
  );
}
if (failures.length) console.log(`\nFailed runs (see their .log): ${failures.join(", ")}`);
