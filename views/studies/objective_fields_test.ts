import assert from "node:assert/strict";
import { parseStudySpec } from "../../config/study_schema.ts";
import { fieldForIssue } from "./study_form_issues.ts";
import { specToValues, valuesToStudyInput } from "./study_form_state.ts";

const file = {
  name: "mo-form",
  metrics: ["devAccuracy", "epochSeconds"],
  directions: ["maximize", "minimize"],
  constraints: [{ metric: "parameterCount", max: 50000, min: 10 }],
  sampler: { type: "nsga2", seed: 4, populationSize: 12 },
  base: { epochs: 2, data: { dataset: "synthetic-binary" } },
  space: { "optimizer.lr": { type: "float", low: 0.001, high: 0.1, log: true } },
};

Deno.test("The study form keeps a second objective, a constraint and NSGA-II's population", () => {
  const parsed = parseStudySpec(file);
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.issues));
  const values = specToValues(parsed.spec);
  assert.equal(values["study.metrics.1"], "epochSeconds");
  assert.equal(values["study.constraints.0.max"], "50000");
  const again = parseStudySpec(valuesToStudyInput(values));
  assert.ok(again.ok, JSON.stringify(!again.ok && again.issues));
  for (const key of ["metrics", "directions", "constraints", "sampler", "pruner"] as const) {
    assert.deepEqual(again.spec[key], parsed.spec[key], key);
  }
  // Without a second objective the study is single-objective again.
  const single = parseStudySpec(valuesToStudyInput({ ...values, "study.metrics.1": "" }));
  assert.ok(single.ok);
  assert.equal(single.spec.metrics, undefined);
});

Deno.test("A multi-objective study's issues land on the form's fields", () => {
  const parsed = parseStudySpec(file);
  assert.ok(parsed.ok);
  const values = specToValues(parsed.spec);
  const input = valuesToStudyInput({ ...values, "study.pruner.type": "median" });
  const result = parseStudySpec(input);
  assert.ok(!result.ok);
  assert.equal(fieldForIssue(result.issues[0].path, values), "study.pruner.type");
  assert.equal(fieldForIssue("constraints.0.max", values), "study.constraints.0.max");
  assert.equal(fieldForIssue("metrics.1", values), "study.metrics.1");
});
