import assert from "node:assert/strict";
import { gridFromSpace } from "../tuner/from_spec.ts";
import type { ParamValue } from "../tuner/frozen_trial.ts";
import { type GridPoints, productPoints } from "../tuner/samplers/grid.ts";
import { gridSize, spaceGrid } from "./space_grid.ts";
import type { ParamSpec, SpaceSpec } from "./space_schema.ts";

function allPoints(grid: GridPoints): Record<string, ParamValue>[] {
  return Array.from({ length: grid.size }, (_, id) => grid.at(id));
}

function assertDistinct(points: Record<string, ParamValue>[]) {
  const keys = points.map((point) => JSON.stringify(Object.entries(point).sort()));
  assert.equal(new Set(keys).size, points.length, "every point is distinct");
}

/** Momentum (3 values) and nesterov (2) only under SGD; beta (2) only under Adam. */
const optimizerSpace: SpaceSpec = {
  "optimizer.type": {
    type: "categorical",
    choices: ["sgd", "adam", "rmsprop"],
    when: {
      sgd: {
        "optimizer.momentum": { type: "float", low: 0, high: 0.9, step: 0.45, log: false },
        "optimizer.nesterov": { type: "categorical", choices: [false, true] },
      },
      adam: { "optimizer.betas.0": { type: "categorical", choices: [0.8, 0.9] } },
    },
  },
  "optimizer.lr": { type: "categorical", choices: [0.01, 0.1] },
};

Deno.test("spaceGrid() over a choice with sub-spaces enumerates only valid combinations", () => {
  const grid = spaceGrid(optimizerSpace);
  // lr (2) × [sgd: 3 × 2, adam: 2, rmsprop: 1] = 2 × 9.
  assert.equal(grid.size, 18);
  assert.equal(gridSize(optimizerSpace), 18);
  const points = allPoints(grid);
  assertDistinct(points);
  const keysOf = (type: string) =>
    new Set(
      points.filter((p) => p["optimizer.type"] === type).map((p) => Object.keys(p).sort().join()),
    );
  assert.deepEqual(
    keysOf("sgd"),
    new Set(["optimizer.lr,optimizer.momentum,optimizer.nesterov,optimizer.type"]),
  );
  assert.deepEqual(keysOf("adam"), new Set(["optimizer.betas.0,optimizer.lr,optimizer.type"]));
  assert.deepEqual(keysOf("rmsprop"), new Set(["optimizer.lr,optimizer.type"]));
  assert.equal(points.filter((p) => p["optimizer.type"] === "sgd").length, 12);
  assert.deepEqual(
    [...new Set(points.map((p) => p["optimizer.momentum"]).filter((m) => m !== undefined))],
    [0, 0.45, 0.9],
  );
});

Deno.test("spaceGrid() over a depth entry has Σ over depths of (values per layer)^depth points", () => {
  const space: SpaceSpec = {
    "model.layers": {
      type: "layers",
      low: 1,
      high: 3,
      layer: {
        units: { type: "categorical", choices: [16, 32] },
        dropout: { type: "categorical", choices: [0, 0.2, 0.4] },
        batchNorm: true,
      },
    },
  };
  // Per layer 2 × 3 = 6 combinations: 6 + 6² + 6³.
  const grid = spaceGrid(space);
  assert.equal(grid.size, 6 + 36 + 216);
  const points = allPoints(grid);
  assertDistinct(points);
  for (const point of points) {
    const count = point["model.layers.length"] as number;
    assert.equal(Object.keys(point).length, 1 + 2 * count, JSON.stringify(point));
    assert.ok(`model.layers.${count - 1}.dropout` in point);
    assert.ok(!(`model.layers.${count}.units` in point));
  }
  assert.deepEqual(
    [1, 2, 3].map((n) => points.filter((p) => p["model.layers.length"] === n).length),
    [6, 36, 216],
  );
});

Deno.test("spaceGrid() of a flat space gives the old product grid's points and description", () => {
  const flat: Record<string, ParamSpec> = {
    "optimizer.type": { type: "categorical", choices: ["sgd", "adam"] },
    "batch.size": { type: "int", low: 32, high: 128, step: 32, log: false },
    "optimizer.lr": { type: "float", low: 0.01, high: 0.05, step: 0.02, log: false },
  };
  const grid = spaceGrid(flat);
  const old = productPoints(gridFromSpace(flat));
  assert.equal(grid.size, 2 * 4 * 3);
  assert.equal(grid.size, old.size);
  assert.deepEqual(allPoints(grid), allPoints(old));
  assert.deepEqual(grid.description, old.description);
  assertDistinct(allPoints(grid));
});
