import assert from "node:assert/strict";
import { parseRunConfig } from "../../config/schema.ts";
import { valuesToInput } from "./run_form_state.ts";
import { schedulerInput, switchScheduler } from "./scheduler_form.ts";

Deno.test("switchScheduler() fills the chosen type's torch defaults, fitted to the run where torch has none", () => {
  const values = switchScheduler({ epochs: "12", "optimizer.lr": "0.01" }, "one_cycle");
  assert.equal(values["scheduler.maxLr"], "0.1");
  assert.equal(values["scheduler.cycleMomentum"], "on", "cycle_momentum defaults to True");
  assert.equal(values["scheduler.threePhase"], undefined);
  assert.equal(values["scheduler.divFactor"], "25");
  assert.equal(values["scheduler.shownType"], "one_cycle");
  const step = switchScheduler({ epochs: "12" }, "step");
  assert.equal(step["scheduler.stepSize"], "4");
  assert.equal(step["scheduler.gamma"], "0.1");
});

Deno.test("schedulerInput() reads milestones as a list and none as no scheduler", () => {
  assert.equal(schedulerInput({ "scheduler.type": "none" }), undefined);
  assert.deepEqual(
    schedulerInput({
      "scheduler.type": "multi_step",
      "scheduler.milestones": "3, 6,9",
      "scheduler.gamma": "0.5",
    }),
    { type: "multi_step", milestones: [3, 6, 9], gamma: 0.5 },
  );
  const parsed = parseRunConfig(valuesToInput({ "scheduler.type": "none" }));
  assert.ok(!parsed.ok || parsed.config.scheduler === undefined);
});

Deno.test("a blank required scheduler field comes back as an issue at its path", () => {
  const input = valuesToInput({ ...switchScheduler({}, "step"), "scheduler.stepSize": "" });
  const parsed = parseRunConfig({ scheduler: input.scheduler });
  assert.ok(!parsed.ok);
  assert.equal(parsed.issues[0].path, "scheduler.stepSize");
});
