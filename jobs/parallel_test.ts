import assert from "node:assert/strict";
import {
  type AdmissionContext,
  studyAdmissionIssues,
  studyWorstTrial,
} from "../config/admission.ts";
import { parseStudySpec, type StudySpec } from "../config/study_schema.ts";
import type { BackendFigures } from "../engine/auto_choice.ts";
import type { Calibration } from "../engine/calibration.ts";
import type { DeviceInfo } from "../engine/device.ts";
import { createStudy } from "../tuner/mod.ts";
import { studySampler } from "./study_space.ts";
import {
  autoTrialsBackend,
  blasThreadsFromEnv,
  chooseParallel,
  type ParallelMachine,
  parallelOnThisMachine,
  probedTrials,
} from "./parallel.ts";

const cpuOnly: DeviceInfo = { backend: "cpu", reason: "no adapter" };
const adapter = (isFallbackAdapter: boolean): DeviceInfo => ({
  backend: "webgpu",
  vendor: "",
  architecture: "",
  description: isFallbackAdapter ? "llvmpipe" : "NVIDIA H100",
  isFallbackAdapter,
  limits: {} as never,
  features: [],
});

function spec(overrides: Record<string, unknown> = {}): StudySpec {
  const parsed = parseStudySpec({
    name: "p",
    base: { device: "cpu", data: { dataset: "synthetic-binary" } },
    space: { "optimizer.lr": { type: "float", low: 1e-3, high: 1e-1 } },
    ...overrides,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.spec;
}

const machine = (overrides: Partial<ParallelMachine> = {}): ParallelMachine => ({
  cores: 8,
  blasThreads: 1,
  device: cpuOnly,
  autoBackend: "cpu",
  memoryBudgetBytes: 2 ** 30,
  worstTrialBytes: 2 ** 20,
  ...overrides,
});

Deno.test("auto parallel on the CPU is one trial per core group its OpenBLAS threads use", () => {
  assert.equal(chooseParallel(spec(), machine()).trials, 8);
  assert.equal(chooseParallel(spec(), machine({ blasThreads: 2 })).trials, 4);
  assert.equal(chooseParallel(spec(), machine({ cores: 2, blasThreads: 3 })).trials, 1);
  assert.match(chooseParallel(spec(), machine({ cores: 2 })).why, /2 cores, 1 OpenBLAS thread/);
  // device "cpu" trains on the CPU even beside an adapter.
  assert.equal(chooseParallel(spec(), machine({ device: adapter(true) })).trials, 8);
});

Deno.test("auto parallel is 1 where trials may train on a hardware GPU, or on lavapipe by device gpu", () => {
  const auto = spec({ base: { data: { dataset: "synthetic-binary" } } });
  const gpu = chooseParallel(auto, machine({ device: adapter(false), autoBackend: "webgpu" }));
  assert.equal(gpu.trials, 1);
  assert.match(gpu.why, /GPU \(device "auto" chooses it here\), where concurrent sessions/);
  const onLavapipe = spec({ base: { device: "gpu", data: { dataset: "synthetic-binary" } } });
  const software = chooseParallel(onLavapipe, machine({ device: adapter(true) }));
  assert.equal(software.trials, 1);
  assert.match(software.why, /software WebGPU adapter, which already uses every core/);
  // Where auto trains on the CPU beside an adapter, software or not: one trial per core.
  const beside = chooseParallel(auto, machine({ device: adapter(true) }));
  assert.equal(beside.trials, 8);
  assert.match(beside.why, /device "auto" trains them on the CPU here/);
  assert.equal(chooseParallel(auto, machine({ device: adapter(false) })).trials, 8);
  // And 1 where it trains on lavapipe.
  const auto1 = chooseParallel(auto, machine({ device: adapter(true), autoBackend: "webgpu" }));
  assert.equal(auto1.trials, 1);
  assert.match(auto1.why, /software WebGPU adapter \(device "auto" chooses it here\)/);
  // A searched device that may be "gpu" counts too; without an adapter "auto" is the CPU.
  const searched = spec({
    space: { device: { type: "categorical", choices: ["cpu", "gpu"] } },
  });
  assert.equal(chooseParallel(searched, machine({ device: adapter(false) })).trials, 1);
  assert.equal(chooseParallel(auto, machine()).trials, 8);
});

Deno.test("auto parallel never holds more worst-case trials than the memory budget", () => {
  const choice = chooseParallel(
    spec(),
    machine({ memoryBudgetBytes: 3 * 2 ** 20, worstTrialBytes: 2 ** 20 }),
  );
  assert.equal(choice.trials, 3);
  assert.match(choice.why, /the memory budget holds 3/);
  const huge = machine({ memoryBudgetBytes: 2 ** 20, worstTrialBytes: 2 ** 21 });
  assert.equal(chooseParallel(spec(), huge).trials, 1);
});

Deno.test("an explicit parallel, or the CLI's, is taken as given", () => {
  assert.deepEqual(chooseParallel(spec({ parallel: 3 }), machine({ cores: 2 })), {
    trials: 3,
    why: "the study's parallel",
  });
  assert.deepEqual(chooseParallel(spec({ parallel: 3 }), machine(), 5), {
    trials: 5,
    why: "--parallel",
  });
  // A study stored before `parallel` existed is "auto".
  const { parallel: _, ...old } = spec();
  assert.equal(chooseParallel(old as StudySpec, machine({ cores: 4 })).trials, 4);
});

Deno.test("OPENBLAS_NUM_THREADS sets a CPU trial's threads; unset or unusable, the engine's 1", () => {
  assert.equal(blasThreadsFromEnv("4"), 4);
  assert.equal(blasThreadsFromEnv(undefined), 1);
  assert.equal(blasThreadsFromEnv("0"), 1);
  assert.equal(blasThreadsFromEnv("two"), 1);
});

Deno.test("a study file's parallel is auto, or a whole number from 1 to 64; others name the field", () => {
  assert.equal(spec().parallel, "auto");
  assert.equal(spec({ parallel: 2 }).parallel, 2);
  for (const bad of [0, 65, 1.5, "two", null]) {
    const parsed = parseStudySpec({ ...spec(), parallel: bad });
    assert.ok(!parsed.ok, `parallel ${bad} accepted`);
    assert.deepEqual(parsed.issues.map((issue) => issue.path), ["parallel"]);
    assert.match(
      parsed.issues[0].message,
      /^Parallel must be "auto" or a whole number of trials from 1 to 64, got /,
    );
  }
});

Deno.test("parallel N is refused when N worst-case trials do not fit the memory budget together", async () => {
  const ctx: AdmissionContext = {
    memoryBudgetBytes: 0,
    datasets: [
      { id: "synthetic-binary", name: "Synthetic", features: 10, classes: 2, train: 1000, test: 0 },
    ],
    roots: { mnist: "/nonexistent/mnist" },
    device: cpuOnly,
  };
  const wide = spec({
    base: {
      device: "cpu",
      data: { dataset: "synthetic-binary" },
      model: { layers: [{ units: 8 }] },
    },
    space: { "model.layers.0.units": { type: "int", low: 8, high: 4096 } },
  });
  const worst = (await studyWorstTrial(wide, ctx))!.bytes!;
  ctx.memoryBudgetBytes = Math.floor(2.5 * worst);
  assert.deepEqual(await studyAdmissionIssues({ ...wide, parallel: 2 }, ctx), []);
  assert.deepEqual(await studyAdmissionIssues(wide, ctx), [], "auto fits itself to the budget");
  const issues = await studyAdmissionIssues({ ...wide, parallel: 3 }, ctx);
  assert.deepEqual(issues.map((issue) => issue.path), ["parallel"]);
  assert.match(issues[0].message, /^Parallel 3 would train 3 trials at once, each up to about /);
  assert.match(issues[0].message, /model\.layers\.0\.units = 4096/);
  assert.match(issues[0].message, /AJUSTE_MEMORY_BUDGET\); use parallel 2 or less, or "auto"$/);
});

Deno.test("a study file's TPE keeps trials running at once apart: its constant liar is on by default", async () => {
  /** How many of 4 trials asked together (all running) land within 0.5 of one asked before. */
  const crowded = async (sampler: Record<string, unknown>) => {
    let count = 0;
    for (let seed = 0; seed < 6; seed++) {
      const study = await createStudy({
        sampler: studySampler(spec({ parallel: 4, sampler: { ...sampler, seed } })),
      });
      await study.optimize((t) => (t.suggestFloat("x", -10, 10) - 3) ** 2, { nTrials: 15 });
      const running: number[] = [];
      for (let i = 0; i < 4; i++) {
        const x = (await study.ask()).suggestFloat("x", -10, 10);
        if (running.some((other) => Math.abs(x - other) < 0.5)) count++;
        running.push(x);
      }
    }
    return count;
  };
  const [liar, alone] = [await crowded({ type: "tpe" }), await crowded({ constantLiar: false })];
  assert.ok(2 * liar < alone, `crowded trials with the default ${liar}, without liar ${alone}`);
});

/**
 * A calibration where the adapter pays 10 ms a step and does the products for free, and the CPU
 * pays no step cost but 10 MFLOP/s: few large steps train on the adapter, many small on the CPU.
 */
function calibration(isFallbackAdapter: boolean): Calibration {
  const figures = (backend: "cpu" | "webgpu", step: number, flops: number): BackendFigures => ({
    backend,
    description: backend,
    isFallbackAdapter: backend === "webgpu" && isFallbackAdapter,
    stepSeconds: step,
    parametersPerSecond: 1e15,
    flopsPerSecond: flops,
    epochSeconds: 0,
    timed: [],
  });
  return {
    key: "test",
    measuredAt: "2026-12-08T00:00:00Z",
    seconds: 0,
    candidates: [figures("cpu", 0, 1e7), figures("webgpu", 0.01, 1e15)],
  };
}

const autoContext = (device: DeviceInfo): AdmissionContext => ({
  memoryBudgetBytes: 2 ** 40,
  datasets: [
    { id: "synthetic-binary", name: "Synthetic", features: 10, classes: 2, train: 1000, test: 0 },
  ],
  roots: { mnist: "/nonexistent/mnist" },
  device,
});

/**
 * Device "auto", a 10-8-2 model at batch 32; with `searched`, the batch size up to 1024 (one step
 * an epoch).
 */
const autoStudy = (searched: boolean) =>
  spec({
    base: {
      device: "auto",
      data: { dataset: "synthetic-binary" },
      batch: { size: 32 },
      model: { layers: [{ units: 8 }] },
    },
    space: searched
      ? { "batch.size": { type: "int", low: 16, high: 1024, log: true } }
      : { "optimizer.lr": { type: "float", low: 1e-3, high: 1e-1 } },
  });

Deno.test("autoTrialsBackend() asks the engine's auto choice of each config, by calibration or rule", async () => {
  const lavapipe = autoContext(adapter(true));
  const small = probedTrials(autoStudy(false));
  const all = probedTrials(autoStudy(true));
  assert.deepEqual(
    all.map((config) => config.batch.mode === "minibatch" && config.batch.size),
    [32, 1024, 16, 1024],
    "the base, all at the high end, then each probe value",
  );
  // Under 1000 rows at 416 FLOPs each (10-8-2): under 42 ms on the CPU, against 10 ms a step
  // on the adapter, over 30 steps of 32 or one of them all.
  assert.equal(await autoTrialsBackend(small, lavapipe, calibration(true)), "cpu");
  assert.equal(await autoTrialsBackend(all, lavapipe, calibration(true)), "webgpu");
  // Unmeasured, by rule: lavapipe never, a hardware GPU always, no adapter never.
  assert.equal(await autoTrialsBackend(all, lavapipe, null), "cpu");
  assert.equal(await autoTrialsBackend(small, autoContext(adapter(false)), null), "webgpu");
  assert.equal(await autoTrialsBackend(all, autoContext(cpuOnly), calibration(true)), "cpu");
});

Deno.test("parallel auto beside lavapipe follows the calibration: a core a trial on the CPU, 1 on lavapipe", async () => {
  const measured = (device: DeviceInfo) =>
    Promise.resolve({
      ...device,
      auto: { mode: "measure" as const, rule: "", calibration: calibration(true), examples: [] },
    });
  const choose = parallelOnThisMachine(
    () => Promise.resolve(autoContext(adapter(true))),
    undefined,
    measured,
  );
  const onCpu = await choose(autoStudy(false));
  const cores = navigator.hardwareConcurrency || 1;
  assert.equal(onCpu.trials, Math.max(1, Math.floor(cores / blasThreadsFromEnv())));
  assert.match(onCpu.why, /device "auto" trains them on the CPU here/);
  const onLavapipe = await choose(autoStudy(true));
  assert.equal(onLavapipe.trials, 1);
  assert.match(onLavapipe.why, /software WebGPU adapter \(device "auto" chooses it here\)/);
});
