import assert from "node:assert/strict";
import { parseStudySpec } from "../../config/study_schema.ts";
import { fieldForIssue, issueLabel } from "./study_form_issues.ts";
import { applyFormAction, specToValues, valuesToStudyInput } from "./study_form_state.ts";

const spec = (() => {
  const parsed = parseStudySpec({
    name: "exercise",
    space: {
      "model.layers": {
        type: "layers",
        low: 1,
        high: 3,
        layer: { units: { type: "int", low: 16, high: 64 }, batchNorm: true },
      },
      "optimizer.type": {
        type: "categorical",
        choices: ["sgd", "adam"],
        when: { sgd: { "optimizer.momentum": { type: "float", low: 0, high: 0.9 } } },
      },
      "regularization.l2": { type: "float", low: 1e-6, high: 1e-2, log: true },
    },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.spec;
})();

Deno.test("fieldForIssue() leads each file path to the field that draws it", () => {
  const values = specToValues(spec);
  const cases: [string, string][] = [
    ["name", "study.name"],
    ["sampler.seed", "study.sampler.seed"],
    ["base.epochs", "epochs"],
    ["base.data.split.dev", "data.split.dev"],
    ["space.regularization.l2.low", "space.regularization.l2.low"],
    ["space.optimizer.type.choices", "space.optimizer.type.choices"],
    [
      "space.optimizer.type.when.sgd.optimizer.momentum.high",
      "space.optimizer.type.when.sgd.0.high",
    ],
    ["space.optimizer.type.when.sgd.optimizer.momentum", "space.optimizer.type.when.sgd.0"],
    ["space.model.layers.high", "space.model.layers.high"],
    ["space.model.layers.layer.units.low", "space.model.layers.layer.units.low"],
    ["space.nothing.here", "space"],
  ];
  for (const [path, field] of cases) assert.equal(fieldForIssue(path, values), field, path);
});

Deno.test("issueLabel() names a field as the form labels it", () => {
  assert.equal(issueLabel("base.model.layers.0.units"), "Layer 1 units");
  assert.equal(issueLabel("space.optimizer.lr.low"), "Learning rate (searched) low");
  assert.equal(issueLabel("space.model.layers.layer.dropout"), "Every layer's dropout (searched)");
  assert.equal(issueLabel("name"), "Study name");
});

Deno.test("applyFormAction() adds and removes sub-space rows, renumbering the rest", () => {
  const rows = "space.optimizer.type.when.sgd";
  const added = applyFormAction(specToValues(spec), `add:${rows}`);
  assert.equal(added[`${rows}.1.path`], "optimizer.lr", "the first suggested path not yet there");
  assert.equal(added[`${rows}.1.type`], "float", "drawn with its suggested range");
  const removed = applyFormAction(added, `remove:${rows}.0`);
  assert.equal(removed[`${rows}.0.path`], "optimizer.lr");
  assert.equal(removed[`${rows}.1.path`], undefined);
  const file = valuesToStudyInput(removed) as { space: Record<string, { when?: unknown }> };
  assert.deepEqual(Object.keys(file.space["optimizer.type"].when as object), ["sgd"]);
});

Deno.test("applyFormAction() drops the search switches of a removed layer", () => {
  const values = applyFormAction(
    {
      ...specToValues({
        ...spec,
        space: { "epochs": { type: "int", low: 1, high: 3, log: false } },
      }),
      "search.model.layers.1.units": "on",
      "space.model.layers.1.units.type": "int",
    },
    undefined,
    "remove:1",
  );
  assert.equal(values["search.model.layers.1.units"], undefined);
  assert.equal(values["space.model.layers.1.units.type"], undefined);
});
