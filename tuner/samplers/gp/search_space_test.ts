import assert from "node:assert/strict";
import { Rng } from "../../../engine/random.ts";
import {
  CategoricalDistribution,
  FloatDistribution,
  IntDistribution,
} from "../../distributions.ts";
import { GpSearchSpace } from "./search_space.ts";

const space = new GpSearchSpace({
  lr: new FloatDistribution(1e-5, 1, { log: true }),
  dropout: new FloatDistribution(0, 0.5, { step: 0.1 }),
  units: new IntDistribution(16, 256, { step: 16 }),
  batch: new IntDistribution(1, 512, { log: true }),
  x: new FloatDistribution(-3, 3),
  optimizer: new CategoricalDistribution(["sgd", "adam", null]),
});

Deno.test("GpSearchSpace maps log ranges in log space and gives each grid point an equal slice", () => {
  const x = space.normalize({
    lr: 1e-3,
    dropout: 0,
    units: 256,
    batch: 1,
    x: 1.5,
    optimizer: null,
  });
  assert.ok(Math.abs(x[0] - 0.4) < 1e-12, "log10 1e-3 is 2/5 of the way from −5 to 0");
  // dropout 0 of six points: the middle of the first sixth, [−0.05, 0.55] normalised.
  assert.ok(Math.abs(x[1] - 1 / 12) < 1e-12);
  assert.ok(Math.abs(x[2] - 31 / 32) < 1e-12, "the last of 16 slices");
  assert.ok(
    Math.abs(x[3] - (Math.log(1) - Math.log(0.5)) / (Math.log(512.5) - Math.log(0.5))) < 1e-12,
  );
  assert.equal(x[4], 0.75);
  assert.equal(x[5], 2, "a categorical keeps its index");
  assert.deepEqual(space.discreteIndices, [1, 2, 3, 5]);
  assert.deepEqual(space.continuousIndices, [0, 4]);
});

Deno.test("GpSearchSpace round-trips parameters and puts every sampled point on its grid", () => {
  const rng = new Rng(5);
  for (const point of space.sample(200, rng)) {
    const params = space.unnormalize(point);
    assert.ok((params.lr as number) >= 1e-5 && (params.lr as number) <= 1);
    assert.ok([0, 0.1, 0.2, 0.3, 0.4, 0.5].includes(params.dropout as number), `${params.dropout}`);
    assert.equal((params.units as number) % 16, 0);
    assert.ok(Number.isInteger(params.batch) && (params.batch as number) >= 1);
    assert.ok(["sgd", "adam", null].includes(params.optimizer as string | null));
    const again = space.normalize(params);
    for (const d of space.discreteIndices) assert.ok(Math.abs(again[d] - point[d]) < 1e-9);
  }
});

Deno.test("GpSearchSpace.round() snaps to the grid point whose slice holds the value", () => {
  const units = 2; // 16 points, slice width 1/16
  assert.equal(
    space.unnormalize(Float64Array.from([0, 0, space.round(units, 0.01), 0, 0, 0])).units,
    16,
  );
  assert.equal(
    space.unnormalize(Float64Array.from([0, 0, space.round(units, 0.99), 0, 0, 0])).units,
    256,
  );
  assert.equal(
    space.unnormalize(Float64Array.from([0, 0, space.round(units, 5.5 / 16), 0, 0, 0])).units,
    96,
  );
  const choices = space.discreteChoices();
  assert.equal(choices[1].length, 16);
  assert.deepEqual(Array.from(choices[3]), [0, 1, 2]);
});
