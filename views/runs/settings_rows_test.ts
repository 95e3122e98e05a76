import assert from "node:assert/strict";
import { parseRunConfig } from "../../config/schema.ts";
import { settingRows } from "./settings_rows.ts";

function rows(input: unknown) {
  const result = parseRunConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return settingRows(result.config);
}

Deno.test("settingRows() shows gradient clipping under Training: None, or its kind and knobs", () => {
  const none = rows({}).filter((row) => row.path.startsWith("gradientClipping."));
  assert.deepEqual(none.map((row) => [row.group, row.label]), [["Training", "Gradient clipping"]]);
  const byNorm = rows({ gradientClipping: { type: "norm", maxNorm: 1 } })
    .filter((row) => row.path.startsWith("gradientClipping."));
  assert.deepEqual(byNorm.map((row) => row.label), ["Gradient clipping", "Max norm", "Norm type"]);
});

Deno.test("settingRows() shows early stopping under Training: Off, or its knobs against Lightning's defaults", () => {
  const off = rows({}).filter((row) => row.path.startsWith("earlyStopping"));
  assert.deepEqual(off.map((row) => [row.group, row.label, row.text, row.atDefault]), [
    ["Training", "Early stopping", "Off", true],
  ]);
  const on = rows({ earlyStopping: { metric: "devAccuracy", patience: 5 } })
    .filter((row) => row.path.startsWith("earlyStopping"));
  assert.deepEqual(on.map((row) => [row.label, row.text, row.atDefault]), [
    ["Watch", "Dev accuracy", true],
    ["Better when", "Higher", true],
    ["Patience (epochs)", "5", false],
    ["Min delta", "0", true],
    ["Restore best weights", "on", true],
  ]);
});
