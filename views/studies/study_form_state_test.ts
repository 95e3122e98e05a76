import assert from "node:assert/strict";
import { parseStudySpec, type StudySpec } from "../../config/study_schema.ts";
import {
  applySpaceAction,
  defaultStudyValues,
  fieldForIssue,
  formIssues,
  type FormValues,
  paramCount,
  parseChoices,
  refreshRows,
  searchablePaths,
  specToValues,
  valuesToStudyInput,
} from "./study_form_state.ts";

function parsed(values: FormValues): StudySpec {
  const result = parseStudySpec(valuesToStudyInput(values));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.spec;
}

/** What a browser posts for a tiny study over the learning rate and the optimizer. */
const POSTED: FormValues = {
  name: "tiny <lr>",
  direction: "maximize",
  metric: "devAccuracy",
  trials: "3",
  "sampler.type": "random",
  "sampler.seed": "3",
  "pruner.type": "none",
  "base.data.dataset": "synthetic-binary",
  "base.data.split.train": "0.8",
  "base.data.split.dev": "0.1",
  "base.data.split.test": "0.1",
  "base.data.trainSize": "",
  "base.model.layers": "8",
  "base.optimizer.type": "adam",
  "base.optimizer.lr": "",
  "base.batch.size": "32",
  "base.epochs": "2",
  "base.device": "cpu",
  "param.0.path": "optimizer.lr",
  "param.0.type": "float",
  "param.0.low": "1e-3",
  "param.0.high": "0.1",
  "param.0.log": "on",
  "param.0.step": "",
  "param.0.shown": "optimizer.lr|float",
  "param.1.path": "optimizer.type",
  "param.1.type": "categorical",
  "param.1.choices": "sgd, adam",
  "param.1.shown": "optimizer.type|categorical",
};

Deno.test("valuesToStudyInput() turns posted fields into the study file parseStudySpec accepts", () => {
  const spec = parsed(POSTED);
  assert.equal(spec.name, "tiny <lr>");
  assert.equal(spec.trials, 3);
  assert.deepEqual(spec.sampler, { type: "random", seed: 3 });
  assert.deepEqual(spec.pruner, { type: "none" });
  assert.deepEqual(spec.base, {
    data: { dataset: "synthetic-binary", split: { train: 0.8, dev: 0.1, test: 0.1 } },
    model: { layers: [{ units: 8 }] },
    optimizer: { type: "adam" },
    batch: { size: 32 },
    epochs: 2,
    device: "cpu",
  });
  assert.deepEqual(spec.space, {
    "optimizer.lr": { type: "float", low: 1e-3, high: 0.1, log: true },
    "optimizer.type": { type: "categorical", choices: ["sgd", "adam"] },
  });
});

Deno.test("defaultStudyValues() needs only a name to be a valid study over the learning rate", () => {
  const values = defaultStudyValues();
  assert.equal(parseStudySpec(valuesToStudyInput(values)).ok, false, "the name is empty");
  const spec = parsed({ ...values, name: "mnist-lr" });
  assert.deepEqual(Object.keys(spec.space), ["optimizer.lr"]);
  assert.deepEqual(spec.base.model, { layers: [{ units: 512 }, { units: 256 }] });
  assert.equal(spec.base.epochs, 5);
});

Deno.test("applySpaceAction() adds the next unused path with its suggested range, and removes rows", () => {
  const added = applySpaceAction(POSTED, "add");
  assert.equal(paramCount(added), 3);
  assert.equal(added["param.2.path"], "optimizer.momentum");
  assert.equal(added["param.2.low"], "0");
  const removed = applySpaceAction(added, "remove:0");
  assert.equal(paramCount(removed), 2);
  assert.equal(removed["param.0.path"], "optimizer.type");
  assert.equal(removed["param.2.path"], undefined);
  assert.deepEqual(applySpaceAction(POSTED, "remove:7"), POSTED);
});

Deno.test("searchablePaths() spells out one entry per hidden layer", () => {
  const paths = searchablePaths(2);
  for (const path of ["model.layers.0.units", "model.layers.1.dropout", "epochs"]) {
    assert.ok(paths.includes(path), `missing ${path}`);
  }
  assert.ok(!paths.some((path) => path.includes(".N.")));
  assert.ok(!searchablePaths(0).some((path) => path.startsWith("model.layers")));
});

Deno.test("refreshRows() redraws a row whose path or type changed", () => {
  const path = refreshRows({ ...POSTED, "param.0.path": "batch.size" });
  assert.deepEqual(path.changed, ["batch.size"]);
  assert.equal(path.values["param.0.type"], "int");
  assert.equal(path.values["param.0.low"], "16");
  const type = refreshRows({ ...POSTED, "param.1.type": "float" });
  assert.deepEqual(type.changed, ["optimizer.type"]);
  assert.equal(type.values["param.1.shown"], "optimizer.type|float");
  assert.deepEqual(refreshRows(POSTED), { values: POSTED, changed: [] });
});

Deno.test("parseChoices() reads numbers, booleans and null as JSON does, the rest as text", () => {
  assert.deepEqual(parseChoices("sgd, 0.5 ,true,null,, 1e-3"), ["sgd", 0.5, true, null, 1e-3]);
  assert.deepEqual(parseChoices(" "), []);
});

Deno.test("fieldForIssue() puts each issue of parseStudySpec beside its field", () => {
  const bad = { ...POSTED, "param.0.low": "0", "base.model.layers": "8, x" };
  const result = parseStudySpec(valuesToStudyInput(bad));
  assert.equal(result.ok, false);
  const fields = !result.ok ? result.issues.map((issue) => fieldForIssue(issue.path, bad)) : [];
  assert.deepEqual(fields.sort(), ["base.model.layers", "param.0.low"]);
  assert.equal(fieldForIssue("space.optimizer.type", POSTED), "param.1");
  assert.equal(fieldForIssue("space.optimizer.type.choices.0", POSTED), "param.1.choices");
  assert.equal(fieldForIssue("space", POSTED), "space");
  assert.equal(fieldForIssue("base.data.split", POSTED), "base.data.split");
  assert.equal(fieldForIssue("base.loss", POSTED), "base");
  assert.equal(fieldForIssue("sampler.seed", POSTED), "sampler.seed");
});

Deno.test("formIssues() refuses a path searched twice", () => {
  const twice = { ...POSTED, "param.1.path": "optimizer.lr" };
  assert.deepEqual(formIssues(twice), [{
    path: "param.1",
    message: 'Parameter "optimizer.lr" is already searched in row 1; search each path once',
  }]);
  assert.deepEqual(formIssues(POSTED), []);
});

Deno.test("specToValues() then valuesToStudyInput() gives back the same study", () => {
  const spec = parsed(POSTED);
  assert.deepEqual(parsed(specToValues(spec)), spec);
  const stepped = parsed({
    ...POSTED,
    "sampler.type": "grid",
    "sampler.seed": "",
    "param.0.log": "",
    "param.0.step": "0.01",
    "base.data.trainSize": "500",
    "base.optimizer.lr": "0.01",
  });
  assert.deepEqual(parsed(specToValues(stepped)), stepped);
});

Deno.test("paramCount() stops one over the limit, and formIssues() says so", () => {
  const flood = { ...POSTED, "param.99999999.path": "epochs" };
  assert.equal(paramCount(flood), 25);
  assert.match(formIssues(flood)[0].message, /at most 24 parameters/);
});
