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
