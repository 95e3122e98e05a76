import assert from "node:assert/strict";
import { parseRunConfig } from "./schema.ts";

function issuesOf(scheduler: unknown) {
  const parsed = parseRunConfig({ scheduler });
  assert.ok(!parsed.ok, `expected ${JSON.stringify(scheduler)} to be refused`);
  return parsed.issues;
}

Deno.test("parseRunConfig() fills each scheduler with torch 1.13's defaults", () => {
  const parse = (scheduler: unknown) => {
    const parsed = parseRunConfig({ scheduler });
    assert.ok(parsed.ok, JSON.stringify(parsed));
    return parsed.config.scheduler;
  };
  assert.deepEqual(parse({ type: "step", stepSize: 3 }), { type: "step", stepSize: 3, gamma: 0.1 });
  assert.deepEqual(parse({ type: "linear" }), {
    type: "linear",
    startFactor: 1 / 3,
    endFactor: 1,
    totalIters: 5,
  });
  assert.deepEqual(parse({ type: "one_cycle", maxLr: 0.1 }), {
    type: "one_cycle",
    maxLr: 0.1,
    pctStart: 0.3,
    annealStrategy: "cos",
    cycleMomentum: true,
    baseMomentum: 0.85,
    maxMomentum: 0.95,
    divFactor: 25,
    finalDivFactor: 1e4,
    threePhase: false,
  });
  assert.deepEqual(parse({ type: "reduce_on_plateau" }), {
    type: "reduce_on_plateau",
    metric: "devLoss",
    mode: "min",
    factor: 0.1,
    patience: 10,
    threshold: 1e-4,
    thresholdMode: "rel",
    cooldown: 0,
    minLr: 0,
    eps: 1e-8,
  });
  assert.equal(parse(null), null);
  const absent = parseRunConfig({});
  assert.ok(absent.ok && absent.config.scheduler === undefined, "absent stays absent");
});

Deno.test("parseRunConfig() refuses a bad scheduler naming the field, the value and what is allowed", () => {
  const [type] = issuesOf({ type: "cosine" });
  assert.equal(type.path, "scheduler.type");
  assert.match(
    type.message,
    /^Scheduler type must be one of step, multi_step, .*reduce_on_plateau, got "cosine"$/,
  );
  const [factor] = issuesOf({ type: "reduce_on_plateau", factor: 1 });
  assert.equal(factor.path, "scheduler.factor");
  assert.match(factor.message, /Factor must be .*, got 1$/);
  const [maxLr] = issuesOf({ type: "one_cycle" });
  assert.equal(maxLr.path, "scheduler.maxLr");
  assert.match(maxLr.message, /^Max lr is required/);
  const [pair] = issuesOf({ type: "one_cycle", maxLr: 0.1, epochs: 3 });
  assert.equal(pair.path, "scheduler.stepsPerEpoch");
  assert.match(pair.message, /epochs and stepsPerEpoch together/);
  const [milestones] = issuesOf({ type: "multi_step", milestones: [] });
  assert.equal(milestones.path, "scheduler.milestones");
  const [unknown] = issuesOf({ type: "step", stepSize: 2, step_size: 2 });
  assert.match(unknown.message, /Unknown field "step_size".*did you mean "stepSize"/);
});
