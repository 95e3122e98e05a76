import assert from "node:assert/strict";
import { parseRunConfig } from "../../config/schema.ts";
import type { DatasetInfo } from "../../engine/data/load.ts";
import { NewRunForm } from "../runs/new_run_page.tsx";
import { fieldLabel } from "./field_labels.ts";
import { configToValues } from "./run_form_state.ts";

Deno.test("fieldLabel() names layer fields by their number from 1, as the layer table does", () => {
  assert.equal(fieldLabel("model.layers.0.units"), "Layer 1 units");
  assert.equal(fieldLabel("model.layers.11.batchNorm"), "Layer 12 batch norm");
  assert.equal(fieldLabel("model.layers.2"), "Layer 3");
  assert.equal(fieldLabel("model.layers"), "Hidden layers");
});

Deno.test("fieldLabel() gives the form's words for nested and grouped paths", () => {
  assert.equal(fieldLabel("optimizer.betas.1"), "β2");
  assert.equal(fieldLabel("optimizer.betas"), "Betas (β1, β2)");
  assert.equal(fieldLabel("data.split.dev"), "Dev fraction");
  assert.equal(fieldLabel("data.split"), "Split of the training pool");
  assert.equal(fieldLabel(""), "Config");
});

Deno.test("fieldLabel() keeps a path the form has no field for as it is", () => {
  assert.equal(fieldLabel("model.layers.0.width"), "model.layers.0.width");
  assert.equal(fieldLabel("optimizer.foo"), "optimizer.foo");
  assert.equal(fieldLabel("constructor"), "constructor");
});

const DATASETS: DatasetInfo[] = [
  { id: "mnist", name: "MNIST", features: 784, classes: 10, train: 60000, test: 10000 },
];

/** `<label for="field-…">text</label>` pairs of the form filled with `input`, as paths. */
function formLabels(input: unknown): [string, string][] {
  const parsed = parseRunConfig(input);
  assert.ok(parsed.ok);
  const html = String(
    <NewRunForm
      state={{ values: configToValues(parsed.config), issues: [] }}
      datasets={DATASETS}
      preview={{ valid: true, config: parsed.config }}
    />,
  );
  return [...html.matchAll(/<label for="field-([\w-]+)"[^>]*>([^<]*)<\/label>/g)]
    .map(([, id, text]): [string, string] => [id.replaceAll("-", "."), text])
    // Radio buttons are labelled by their choice; their group's legend names the field.
    .filter(([path]) =>
      !/^(batch\.mode|gradientClipping\.type|earlyStopping\.enabled)\./.test(path)
    );
}

Deno.test("fieldLabel() says what the New run form's label says for every field", () => {
  const optimizers = [
    { type: "sgd", momentum: 0.9 },
    { type: "rmsprop" },
    { type: "adam" },
    { type: "adamw" },
  ];
  let checked = 0;
  for (const optimizer of optimizers) {
    for (const [path, label] of formLabels({ optimizer, model: { layers: [{ units: 4 }] } })) {
      assert.equal(fieldLabel(path), label, path);
      checked++;
    }
  }
  assert.ok(checked > 80, `only ${checked} labels found`);
});
