/**
 * The study form loses nothing: random valid study files (every base field, every distribution
 * kind, sub-spaces per choice nested two deep, a searched depth, every sampler and pruner knob)
 * go file → form → file and come back equal after defaults; random run configs go through the
 * New run form (Clone and edit) and come back equal.
 */

import assert from "node:assert/strict";
import { parseRunConfig } from "../../config/schema.ts";
import { parseStudySpec, type StudySpec } from "../../config/study_schema.ts";
import { configToValues, valuesToInput } from "../run_editor/run_form_state.ts";
import { specToValues, valuesToStudyInput } from "./study_form_state.ts";

/** mulberry32: a small seeded generator, so a failing case can be replayed by its seed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
  const maybe = (p = 0.5) => next() < p;
  return { next, int, pick, maybe };
}

type Rand = ReturnType<typeof generator>;
type Json = Record<string, unknown>;

const ACTIVATIONS = ["relu", "tanh", "sigmoid", "gelu", "leaky_relu", "elu"];
const INITS = ["default", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal"];

function randomLayer(r: Rand): Json {
  const layer: Json = { units: r.int(1, 512) };
  if (r.maybe()) layer.activation = r.pick(ACTIVATIONS);
  if (r.maybe()) layer.batchNorm = r.maybe();
  if (r.maybe()) layer.dropout = r.pick([0, 0.1, 0.25, 0.5]);
  return layer;
}

function randomOptimizer(r: Rand, type: string): Json {
  const optimizer: Json = { type };
  if (r.maybe()) optimizer.lr = r.pick([0.1, 0.01, 0.003, 1e-4]);
  if (r.maybe()) optimizer.weightDecay = r.pick([0, 1e-4, 0.01]);
  if (type === "sgd" && r.maybe()) {
    optimizer.momentum = r.pick([0.5, 0.9]);
    if (r.maybe()) optimizer.nesterov = true;
    else if (r.next() < 0.5) optimizer.dampening = 0.1;
  }
  if (type === "rmsprop") {
    if (r.maybe()) optimizer.alpha = 0.9;
    if (r.maybe()) optimizer.momentum = 0.5;
    if (r.maybe()) optimizer.centered = true;
    if (r.maybe()) optimizer.eps = 1e-6;
  }
  if (type === "adam" || type === "adamw") {
    if (r.maybe()) optimizer.betas = [r.pick([0.8, 0.9]), r.pick([0.99, 0.999])];
    if (r.maybe()) optimizer.eps = 1e-7;
    if (r.maybe()) optimizer.amsgrad = true;
  }
  return optimizer;
}

/** A scheduler of a random type with some of its knobs set, the rest left to the defaults. */
function randomScheduler(r: Rand): Json {
  const type = r.pick([
    "step",
    "multi_step",
    "exponential",
    "cosine_annealing",
    "linear",
    "one_cycle",
    "reduce_on_plateau",
  ]);
  const required: Record<string, Json> = {
    step: { stepSize: r.int(1, 10) },
    multi_step: { milestones: [r.int(1, 4), r.int(5, 9)] },
    exponential: { gamma: r.pick([0.5, 0.9, 0.99]) },
    cosine_annealing: { tMax: r.int(1, 20) },
    one_cycle: { maxLr: r.pick([0.01, 0.1, 1]) },
  };
  const optional: Record<string, Json> = {
    step: { gamma: r.pick([0.1, 0.5]) },
    multi_step: { gamma: 0.3 },
    exponential: {},
    cosine_annealing: { etaMin: r.pick([0, 1e-5]) },
    linear: { startFactor: r.pick([0.1, 1 / 3]), endFactor: 0.5, totalIters: r.int(1, 9) },
    one_cycle: r.maybe()
      ? { totalSteps: r.int(100, 1000), annealStrategy: "linear", threePhase: true }
      : { epochs: 3, stepsPerEpoch: 50, cycleMomentum: false, pctStart: 0.25 },
    reduce_on_plateau: {
      metric: "devAccuracy",
      mode: "max",
      patience: r.int(0, 5),
      thresholdMode: "abs",
      cooldown: r.int(0, 2),
      minLr: 1e-6,
    },
  };
  return { type, ...required[type], ...(r.maybe() ? optional[type] : {}) };
}

function randomBase(r: Rand, optimizerType: string): Json {
  const base: Json = {};
  const data: Json = {};
  if (r.maybe(0.3)) data.dataset = r.pick(["mnist", "fashion-mnist", "synthetic-binary"]);
  if (r.maybe(0.3)) {
    data.normalize = r.maybe() ? null : { mean: r.pick([0.1307, 0.5]), std: r.pick([0.3, 0.5]) };
  }
  if (r.maybe(0.3)) {
    data.split = r.maybe() ? { train: 0.8, dev: 0.2 } : { train: 0.7, dev: 0.15, test: 0.15 };
  }
  if (r.maybe(0.3)) data.trainSize = r.int(100, 5000);
  if (r.maybe(0.2)) data.testSize = r.int(100, 1000);
  if (Object.keys(data).length) base.data = data;
  const model: Json = {};
  if (r.maybe(0.4)) model.init = r.pick(INITS);
  if (r.maybe(0.5)) model.layers = Array.from({ length: r.int(0, 3) }, () => randomLayer(r));
  if (Object.keys(model).length) base.model = model;
  if (r.maybe(0.2)) base.loss = r.pick(["cross_entropy", "nll", "mse"]);
  if (r.maybe(0.6)) base.optimizer = randomOptimizer(r, optimizerType);
  if (r.maybe(0.3)) base.regularization = { l1: r.pick([0, 1e-5]), l2: r.pick([0, 1e-4]) };
  if (r.maybe(0.4)) {
    base.batch = {
      mode: r.pick(["mini_batch", "full_batch", "stochastic"]),
      size: r.int(1, 256),
      shuffle: r.maybe(),
    };
  }
  if (r.maybe(0.5)) base.epochs = r.int(1, 20);
  if (r.maybe(0.3)) base.seed = r.int(0, 1000);
  if (r.maybe(0.3)) base.device = r.pick(["auto", "cpu", "gpu"]);
  if (r.maybe(0.3)) {
    base.gradientClipping = r.maybe()
      ? { type: "norm", maxNorm: r.pick([0.5, 1, 5]), normType: r.pick([1, 2, 3.5, "inf"]) }
      : { type: "value", clipValue: r.pick([0.01, 0.5]) };
  }
  if (r.maybe(0.4)) base.scheduler = randomScheduler(r);
  if (r.maybe(0.3)) {
    const metric = r.pick(["devLoss", "devAccuracy"]);
    base.earlyStopping = {
      metric,
      mode: r.pick(["min", "max"]),
      patience: r.int(0, 10),
      minDelta: r.pick([0, 0.001, 0.5]),
      restoreBest: r.maybe(),
    };
  }
  return base;
}

function randomFloat(r: Rand, low: number, high: number): Json {
  const kind = r.int(0, 2);
  if (kind === 0 && low > 0) return { type: "float", low, high, log: true };
  if (kind === 1) return { type: "float", low, high, step: (high - low) / 4 };
  return { type: "float", low, high };
}

function randomInt(r: Rand, low: number, high: number): Json {
  const kind = r.int(0, 2);
  if (kind === 0) return { type: "int", low, high, log: true };
  if (kind === 1) return { type: "int", low, high, step: 2 };
  return { type: "int", low, high };
}

/** Entries a base with `optimizerType` and `layers` hidden layers can take at top level. */
function flatEntries(r: Rand, optimizerType: string, layers: number): Array<[string, Json]> {
  const entries: Array<[string, Json]> = [
    ["optimizer.lr", randomFloat(r, 1e-4, 0.1)],
    ["optimizer.weightDecay", randomFloat(r, 1e-6, 1e-2)],
    ["regularization.l1", randomFloat(r, 1e-6, 1e-3)],
    ["regularization.l2", { type: "categorical", choices: [0, 1e-4, 1e-3] }],
    ["batch.size", randomInt(r, 16, 256)],
    ["batch.shuffle", { type: "categorical", choices: [false, true] }],
    ["epochs", randomInt(r, 1, 8)],
    ["seed", { type: "categorical", choices: [0, 1, 2] }],
    ["model.init", {
      type: "categorical",
      choices: r.maybe() ? INITS : ["default", "xavier_normal"],
    }],
    ["data.trainSize", { type: "categorical", choices: [500, 1000] }],
    ["data.normalize", { type: "categorical", choices: [null] }],
    ["device", { type: "categorical", choices: ["cpu"] }],
  ];
  if (optimizerType === "sgd") entries.push(["optimizer.momentum", randomFloat(r, 0.5, 0.9)]);
  if (optimizerType.startsWith("adam")) {
    entries.push(["optimizer.betas.0", randomFloat(r, 0.8, 0.95)]);
  }
  for (let i = 0; i < layers; i++) {
    entries.push([`model.layers.${i}.units`, randomInt(r, 8, 128)]);
    entries.push([`model.layers.${i}.dropout`, randomFloat(r, 0, 0.5)]);
    entries.push([`model.layers.${i}.activation`, {
      type: "categorical",
      choices: ["relu", "tanh"],
    }]);
    entries.push([`model.layers.${i}.batchNorm`, { type: "categorical", choices: [true, false] }]);
  }
  return entries;
}

/** An optimizer choice with a sub-space per type, one of them nesting a choice of its own. */
function conditionalOptimizer(r: Rand): Json {
  const when: Json = {
    sgd: {
      "optimizer.lr": randomFloat(r, 1e-3, 0.3),
      "optimizer.momentum": randomFloat(r, 0.5, 0.95),
      "optimizer.nesterov": { type: "categorical", choices: [false, true] },
    },
    adam: {
      "optimizer.lr": randomFloat(r, 1e-5, 1e-2),
      "optimizer.amsgrad": {
        type: "categorical",
        choices: [false, true],
        when: { true: { "optimizer.eps": { type: "float", low: 1e-9, high: 1e-6, log: true } } },
      },
    },
  };
  if (r.maybe()) delete when.adam;
  return { type: "categorical", choices: ["sgd", "adam", "rmsprop"], when };
}

function depthEntry(r: Rand): Json {
  const layer: Json = { units: r.maybe() ? randomInt(r, 16, 256) : r.int(8, 64) };
  if (r.maybe()) layer.dropout = r.maybe() ? randomFloat(r, 0, 0.5) : 0.2;
  if (r.maybe()) {
    layer.batchNorm = r.maybe() ? true : { type: "categorical", choices: [false, true] };
  }
  if (r.maybe()) {
    layer.activation = r.maybe() ? "tanh" : { type: "categorical", choices: ["relu", "gelu"] };
  }
  const low = r.int(0, 2);
  return { type: "layers", low, high: low + r.int(0, 3), layer };
}

function randomStudy(r: Rand): Json {
  const conditional = r.maybe(0.4);
  const optimizerType = conditional ? "adam" : r.pick(["sgd", "rmsprop", "adam", "adamw"]);
  const base = randomBase(r, optimizerType);
  if (conditional) delete base.optimizer;
  const layers = (base.model as Json | undefined)?.layers as unknown[] | undefined;
  const depth = r.maybe(0.3);
  const space: Json = {};
  const flat = flatEntries(r, optimizerType, depth ? 0 : layers?.length ?? 2)
    .filter(([path]) => !(conditional && path.startsWith("optimizer.")));
  for (let n = r.int(1, 4); n > 0; n--) {
    const [path, entry] = r.pick(flat);
    space[path] = entry;
  }
  if (depth) space["model.layers"] = depthEntry(r);
  if (conditional) space["optimizer.type"] = conditionalOptimizer(r);
  const clipping = (base.gradientClipping as Json | undefined)?.type;
  if (clipping === "norm" && r.maybe()) {
    space["gradientClipping.maxNorm"] = randomFloat(r, 0.1, 10);
  }
  if (clipping === "value" && r.maybe()) {
    space["gradientClipping.clipValue"] = { type: "categorical", choices: [0.01, 0.1, 1] };
  }
  const samplerType = r.pick(["tpe", "random", "gp"]);
  const sampler: Json = { type: samplerType };
  if (r.maybe()) sampler.seed = r.int(0, 99);
  if (samplerType === "tpe" && r.maybe()) {
    Object.assign(sampler, { nStartupTrials: r.int(0, 20), multivariate: r.maybe() });
    if (r.maybe()) sampler.constantLiar = false;
  }
  if (samplerType === "gp" && r.maybe()) {
    Object.assign(sampler, { nStartupTrials: r.int(0, 20), deterministicObjective: r.maybe() });
  }
  const pruner = r.pick<Json>([
    { type: "median", nStartupTrials: r.int(0, 9), nWarmupSteps: r.int(0, 3) },
    { type: "asha", minResource: r.maybe() ? "auto" : r.int(1, 3), reductionFactor: r.int(2, 4) },
    randomPruner(r),
    {
      type: "patient",
      patience: r.int(0, 5),
      minDelta: r.pick([0, 0.01]),
      wrapped: randomPruner(r),
    },
    { type: "patient", patience: r.int(0, 5) },
    { type: "none" },
    {},
  ]);
  const study: Json = { name: `study ${r.int(0, 1e6)}`, sampler, pruner, base, space };
  if (r.maybe()) study.direction = "minimize";
  if (r.maybe()) study.metric = r.pick(["devLoss", "trainLoss", "trainAccuracy"]);
  if (r.maybe()) study.trials = r.int(1, 200);
  return study;
}

/** A percentile, hyperband or threshold pruner with some knobs set. */
function randomPruner(r: Rand): Json {
  return r.pick<Json>([
    { type: "percentile", percentile: r.pick([10, 25.5, 90]), nMinTrials: r.int(1, 3) },
    { type: "hyperband", minResource: r.int(1, 2), maxResource: r.maybe() ? "auto" : r.int(3, 30) },
    { type: "hyperband", reductionFactor: r.int(2, 5) },
    { type: "threshold", lower: r.pick([-1, 0.25]), nWarmupSteps: r.int(0, 3) },
    { type: "threshold", upper: r.pick([1.5, 1e3]), intervalSteps: r.int(1, 3) },
  ]);
}

/** A spec as a trial sees it: the base with defaults, a depth template's fields with theirs. */
function canonical(spec: StudySpec): unknown {
  const parsed = parseRunConfig(spec.base);
  assert.ok(parsed.ok);
  const { name: _, ...base } = parsed.config;
  const space = Object.fromEntries(
    Object.entries(spec.space).map(([path, entry]) => {
      if (entry.type !== "layers") return [path, entry];
      const layer = { activation: "relu", batchNorm: false, dropout: 0, ...entry.layer };
      return [path, { ...entry, layer }];
    }),
  );
  return { ...spec, base, space };
}

Deno.test("study file → form → file keeps every field of 400 random valid study files", () => {
  let valid = 0;
  for (let seed = 1; valid < 400 && seed < 5000; seed++) {
    const file = randomStudy(generator(seed));
    const parsed = parseStudySpec(file);
    if (!parsed.ok) continue;
    valid++;
    const back = parseStudySpec(valuesToStudyInput(specToValues(parsed.spec)));
    assert.ok(
      back.ok,
      `seed ${seed}: the form's file is refused: ${JSON.stringify(!back.ok && back.issues)}`,
    );
    assert.deepEqual(canonical(back.spec), canonical(parsed.spec), `seed ${seed}`);
  }
  assert.equal(valid, 400, "the generator makes enough valid study files");
});

Deno.test("a run config → New run form → config keeps every field of 400 random configs", () => {
  let valid = 0;
  for (let seed = 1; valid < 400 && seed < 5000; seed++) {
    const r = generator(seed);
    const input = { ...randomBase(r, r.pick(["sgd", "rmsprop", "adam", "adamw"])), name: "x" };
    const parsed = parseRunConfig(input);
    if (!parsed.ok) continue;
    valid++;
    const back = parseRunConfig(valuesToInput(configToValues(parsed.config)));
    assert.ok(back.ok, `seed ${seed}: ${JSON.stringify(!back.ok && back.issues)}`);
    assert.deepEqual(back.config, parsed.config, `seed ${seed}`);
  }
  assert.equal(valid, 400);
});

Deno.test("the generator covers what the form must keep", () => {
  const seen = new Set<string>();
  for (let seed = 1; seed < 600; seed++) {
    const parsed = parseStudySpec(randomStudy(generator(seed)));
    if (!parsed.ok) continue;
    const walk = (space: Record<string, unknown>, depth: number) => {
      for (const entry of Object.values(space) as Json[]) {
        seen.add(`${entry.type}${entry.log ? ":log" : ""}${entry.step ? ":step" : ""}`);
        if (entry.when) {
          seen.add(`when:${depth}`);
          for (const sub of Object.values(entry.when as Json)) walk(sub as Json, depth + 1);
        }
      }
    };
    walk(parsed.spec.space as Record<string, unknown>, 1);
    seen.add(`sampler:${parsed.spec.sampler.type}`);
    seen.add(`pruner:${parsed.spec.pruner.type}`);
    const { pruner } = parsed.spec;
    if (pruner.type === "patient" && pruner.wrapped) {
      seen.add(`pruner:patient:${pruner.wrapped.type}`);
    }
  }
  for (
    const kind of [
      "float",
      "float:log",
      "float:step",
      "int",
      "int:log",
      "int:step",
      "categorical",
      "layers",
      "when:1",
      "when:2",
      "sampler:tpe",
      "sampler:random",
      "sampler:gp",
      "pruner:median",
      "pruner:asha",
      "pruner:percentile",
      "pruner:hyperband",
      "pruner:threshold",
      "pruner:patient",
      "pruner:patient:hyperband",
      "pruner:patient:threshold",
      "pruner:none",
    ]
  ) {
    assert.ok(seen.has(kind), `no valid study file with ${kind}`);
  }
});
