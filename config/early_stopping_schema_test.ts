import assert from "node:assert/strict";
import { parseRunConfig } from "./schema.ts";

Deno.test("earlyStopping fills Lightning's defaults and takes its mode from the metric", () => {
  const loss = parseRunConfig({ earlyStopping: {} });
  assert.ok(loss.ok);
  assert.deepEqual(loss.config.earlyStopping, {
    metric: "devLoss",
    mode: "min",
    patience: 3,
    minDelta: 0,
    restoreBest: true,
  });
  const accuracy = parseRunConfig({ earlyStopping: { metric: "devAccuracy" } });
  assert.ok(accuracy.ok);
  assert.equal(accuracy.config.earlyStopping?.mode, "max");
  const given = parseRunConfig({ earlyStopping: { metric: "devAccuracy", mode: "min" } });
  assert.ok(given.ok);
  assert.equal(given.config.earlyStopping?.mode, "min");
  const none = parseRunConfig({ earlyStopping: null });
  assert.ok(none.ok);
  assert.equal(none.config.earlyStopping, null);
});

Deno.test("earlyStopping refuses a bad field, naming it and the value", () => {
  const cases: [unknown, RegExp][] = [
    [
      { metric: "trainLoss" },
      /Early stopping metric must be one of devLoss, devAccuracy, got "trainLoss"/,
    ],
    [{ patience: -1 }, /Patience must be/],
    [{ patience: 1.5 }, /Patience must be/],
    [{ minDelta: -0.1 }, /Min delta must be/],
    [{ restoreBest: "yes" }, /Restore best must be true or false/],
    [{ min_delta: 0.1 }, /min_delta/],
  ];
  for (const [earlyStopping, message] of cases) {
    const result = parseRunConfig({ earlyStopping });
    assert.ok(!result.ok, JSON.stringify(earlyStopping));
    assert.match(result.issues.map((issue) => issue.message).join("; "), message);
    assert.equal(result.issues[0].path.split(".")[0], "earlyStopping");
  }
});
