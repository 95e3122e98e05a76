import assert from "node:assert/strict";
import { configDifferences, flatten } from "./config_diff.ts";

Deno.test("flatten() gives dotted paths, keeping number pairs such as betas whole", () => {
  assert.deepEqual(
    flatten({
      optimizer: { type: "adam", betas: [0.9, 0.999] },
      model: { layers: [{ units: 8 }] },
    }),
    { "optimizer.type": "adam", "optimizer.betas": [0.9, 0.999], "model.layers.0.units": 8 },
  );
  assert.deepEqual(flatten({ model: { layers: [] }, data: { normalize: null } }), {
    "model.layers": [],
    "data.normalize": null,
  });
});

Deno.test("configDifferences() lists only the paths whose values differ, missing ones as undefined", () => {
  const differences = configDifferences([
    {
      seed: 0,
      optimizer: { type: "sgd", lr: 0.1, momentum: 0.9 },
      model: { layers: [{ units: 8 }] },
    },
    {
      seed: 0,
      optimizer: { type: "adam", lr: 0.1 },
      model: { layers: [{ units: 8 }, { units: 4 }] },
    },
  ]);
  assert.deepEqual(differences, [
    { path: "optimizer.type", values: ["sgd", "adam"] },
    { path: "optimizer.momentum", values: [0.9, undefined] },
    { path: "model.layers.1.units", values: [undefined, 4] },
  ]);
});
