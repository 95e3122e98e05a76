import assert from "node:assert/strict";
import { FloatDistribution, IntDistribution } from "../../distributions.ts";
import { nextBelow, SearchSpaceTransform } from "./transform.ts";

Deno.test("transform: Optuna's bounds (log, half-step padding) and rounding back onto the grid", () => {
  const trans = new SearchSpaceTransform({
    units: new IntDistribution(1, 10),
    width: new IntDistribution(1, 100, { log: true }),
    dropout: new FloatDistribution(0, 1, { step: 0.1 }),
    lr: new FloatDistribution(1e-3, 1, { log: true }),
  });
  const expected = [[0.5, 10.5], [Math.log(0.5), Math.log(100.5)], [-0.05, 1.05], [
    Math.log(1e-3),
    0,
  ]];
  trans.bounds.forEach(([low, high], i) => {
    assert.ok(Math.abs(low - expected[i][0]) < 1e-12 && Math.abs(high - expected[i][1]) < 1e-12);
  });
  assert.deepEqual(trans.untransform([10.49, Math.log(100.4), 0.47, 0]), {
    units: 10,
    width: 100,
    dropout: 0.5,
    lr: nextBelow(1),
  });
  assert.deepEqual(trans.untransform([0.5, Math.log(0.5), -0.05, Math.log(1e-3)]).units, 1);
  const point = trans.transform({ units: 4, width: 10, dropout: 0.3, lr: 0.01 });
  assert.deepEqual(point, [4, Math.log(10), 0.3, Math.log(0.01)]);
  assert.ok(nextBelow(1) < 1 && nextBelow(1) > 1 - 2e-16);
});
