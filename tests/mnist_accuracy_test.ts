/**
 * Statistical parity with PyTorch on real data: the same small MNIST config reaches the same test
 * accuracy. PyTorch's figure is the mean over 5 seeds of
 * `tests/fixtures/make_mnist_reference.py` (Debian python3-torch 1.13), stored in
 * `tests/fixtures/mnist_reference.json`; its seeds spread over about one point.
 */

import assert from "node:assert/strict";
import { defaultDatasetRoots } from "../config/paths.ts";
import { parseRunConfig } from "../config/schema.ts";
import { CpuBackend } from "../engine/cpu/session.ts";
import { train } from "../engine/mod.ts";

const reference = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/mnist_reference.json", import.meta.url)),
);

Deno.test("train() on the CPU reaches PyTorch's test accuracy within 1 point on a small MNIST config", async () => {
  const accuracies: number[] = [];
  for (const seed of [0, 1]) {
    const parsed = parseRunConfig({
      seed,
      device: "cpu",
      epochs: 3,
      data: { dataset: "mnist", trainSize: 6000 },
      model: { layers: [{ units: 128 }] },
      optimizer: { type: "adam", lr: 1e-3 },
      batch: { size: 128 },
    });
    assert.ok(parsed.ok);
    const result = await train(parsed.config, {
      roots: defaultDatasetRoots(),
      backend: new CpuBackend(),
    });
    assert.equal(result.status, "completed");
    assert.equal(result.test?.count, 10000);
    accuracies.push(result.test!.accuracy);
  }
  const mean = accuracies.reduce((a, b) => a + b) / accuracies.length;
  assert.ok(
    Math.abs(mean - reference.meanTestAccuracy) <= 0.01,
    `ajuste ${mean.toFixed(4)} (seeds ${
      accuracies.map((a) => a.toFixed(4)).join(", ")
    }) vs PyTorch ${reference.meanTestAccuracy.toFixed(4)}`,
  );
});
