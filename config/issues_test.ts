import assert from "node:assert/strict";
import { z } from "zod";
import { badRequestBody, toIssues } from "./issues.ts";

Deno.test("toIssues() dots paths, points unknown fields at themselves and drops repeats", () => {
  const schema = z.strictObject({
    layers: z.array(z.strictObject({ units: z.int({ error: "Units must be an integer" }) })),
  });
  const result = schema.safeParse({ layers: [{ units: 1 }, { units: 0.5, unit: 2 }] });
  assert.ok(!result.success);
  assert.deepEqual(toIssues(result.error, ["base"]), [
    { path: "base.layers.1.units", message: "Units must be an integer" },
    { path: "base.layers.1.unit", message: 'Unrecognized key: "unit"' },
  ]);
});

Deno.test("badRequestBody() wraps issues in the API's 400 body", () => {
  const issues = [{ path: "epochs", message: "Epochs must be an integer in [1, 10000], got 0" }];
  assert.deepEqual(badRequestBody(issues), { error: "Invalid run config", issues });
  assert.deepEqual(badRequestBody(issues, "Invalid study"), { error: "Invalid study", issues });
});
