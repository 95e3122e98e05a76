import assert from "node:assert/strict";
import { loadIdxFolder, readIdxImages, readIdxLabels } from "./idx.ts";

/** An IDX file: magic (0, 0, 0x08, dims), big-endian sizes, then the bytes. */
function idx(dims: number[], data: number[], magic = 0x0800 | dims.length): Uint8Array {
  const bytes = new Uint8Array(4 + dims.length * 4 + data.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, magic);
  dims.forEach((size, i) => view.setUint32(4 + i * 4, size));
  bytes.set(data, 4 + dims.length * 4);
  return bytes;
}

const twoImages = () => idx([2, 2, 2], [0, 1, 2, 3, 250, 251, 252, 255]);

Deno.test("readIdxImages() reads count, shape and row-major pixels", () => {
  const images = readIdxImages(twoImages(), "imgs");
  assert.equal(images.count, 2);
  assert.equal(images.rows, 2);
  assert.equal(images.cols, 2);
  assert.deepEqual([...images.pixels], [0, 1, 2, 3, 250, 251, 252, 255]);
});

Deno.test("readIdxLabels() reads the labels", () => {
  assert.deepEqual([...readIdxLabels(idx([3], [7, 0, 9]), "labels")], [7, 0, 9]);
});

Deno.test("readIdxImages() rejects a bad magic number, naming the file and both values", () => {
  const labelsFile = idx([2], [1, 2]);
  assert.throws(
    () => readIdxImages(labelsFile, "train-images-idx3-ubyte"),
    /"train-images-idx3-ubyte" has magic number 0x00000801, expected 0x00000803/,
  );
  assert.throws(
    () => readIdxLabels(idx([2], [1, 2], 0x0d01), "labels"),
    /"labels" has magic number 0x00000d01, expected 0x00000801/,
  );
});

Deno.test("readIdxImages() rejects a truncated file and one with extra bytes", () => {
  const full = twoImages();
  assert.throws(
    () => readIdxImages(full.subarray(0, full.length - 1), "imgs"),
    /"imgs" is truncated: 2 images of 2×2 need 24 bytes, found 23/,
  );
  assert.throws(
    () => readIdxImages(full.subarray(0, 10), "imgs"),
    /"imgs" is truncated: its header/,
  );
  const longer = new Uint8Array(full.length + 1);
  longer.set(full);
  assert.throws(() => readIdxImages(longer, "imgs"), /"imgs" has 25 bytes, expected 24/);
  assert.throws(() => readIdxLabels(idx([3], [1, 2]), "lbl"), /"lbl" is truncated: 3 labels/);
});

async function folder(files: Record<string, Uint8Array>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "ajuste_idx_" });
  for (const [name, bytes] of Object.entries(files)) await Deno.writeFile(`${dir}/${name}`, bytes);
  return dir;
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return await new Response(stream).bytes();
}

Deno.test("loadIdxFolder() loads train and test sets, plain or gzipped", async () => {
  const dir = await folder({
    "train-images-idx3-ubyte": twoImages(),
    "train-labels-idx1-ubyte": idx([2], [1, 2]),
    "t10k-images-idx3-ubyte.gz": await gzip(idx([1, 2, 2], [9, 8, 7, 6])),
    "t10k-labels-idx1-ubyte.gz": await gzip(idx([1], [0])),
  });
  try {
    const dataset = await loadIdxFolder(dir, { id: "idx:x", name: "x" });
    assert.equal(dataset.features, 4);
    assert.equal(dataset.imageSide, 2);
    assert.equal(dataset.classes, 3);
    assert.deepEqual(dataset.classNames, ["0", "1", "2"]);
    assert.equal(dataset.pixels, true);
    assert.deepEqual([...dataset.train.labels], [1, 2]);
    assert.deepEqual([...dataset.test!.inputs], [9, 8, 7, 6]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadIdxFolder() without t10k files has no official test set", async () => {
  const dir = await folder({
    "train-images-idx3-ubyte": twoImages(),
    "train-labels-idx1-ubyte": idx([2], [1, 0]),
  });
  try {
    const dataset = await loadIdxFolder(dir, { id: "idx:x", name: "x" });
    assert.equal(dataset.test, undefined);
    assert.equal(dataset.train.count, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadIdxFolder() reports a count mismatch, a missing file and a missing folder", async () => {
  const dir = await folder({
    "train-images-idx3-ubyte": twoImages(),
    "train-labels-idx1-ubyte": idx([3], [1, 0, 1]),
    "t10k-images-idx3-ubyte": idx([1, 2, 2], [1, 2, 3, 4]),
  });
  try {
    await assert.rejects(
      loadIdxFolder(dir, { id: "idx:x", name: "x" }),
      /train-labels-idx1-ubyte" has 3 labels, expected 2 to match the images in/,
    );
    await Deno.writeFile(`${dir}/train-labels-idx1-ubyte`, idx([2], [1, 0]));
    await assert.rejects(
      loadIdxFolder(dir, { id: "idx:x", name: "x" }),
      /has no t10k-labels-idx1-ubyte \(or t10k-labels-idx1-ubyte.gz\)/,
    );
    await assert.rejects(
      loadIdxFolder(`${dir}/nope`, { id: "idx:x", name: "x" }),
      /Dataset folder ".*nope" does not exist/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadIdxFolder() rejects test images of another shape and labels beyond the names", async () => {
  const dir = await folder({
    "train-images-idx3-ubyte": twoImages(),
    "train-labels-idx1-ubyte": idx([2], [1, 0]),
    "t10k-images-idx3-ubyte": idx([1, 1, 1], [5]),
    "t10k-labels-idx1-ubyte": idx([1], [0]),
  });
  try {
    await assert.rejects(
      loadIdxFolder(dir, { id: "idx:x", name: "x" }),
      /test images in ".*" are 1×1, expected 2×2/,
    );
    await Deno.remove(`${dir}/t10k-images-idx3-ubyte`);
    await Deno.remove(`${dir}/t10k-labels-idx1-ubyte`);
    await assert.rejects(
      loadIdxFolder(dir, { id: "idx:x", name: "x", classNames: ["only"] }),
      /labels in ".*" go up to 1, expected at most 0/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadIdxFolder() with trainRows keeps the first images, the classes all labels show", async () => {
  const dir = await folder({
    "train-images-idx3-ubyte": twoImages(),
    "train-labels-idx1-ubyte": idx([2], [1, 2]),
  });
  try {
    const dataset = await loadIdxFolder(dir, { id: "idx:x", name: "x", trainRows: 1 });
    assert.equal(dataset.train.count, 1);
    assert.deepEqual([...dataset.train.inputs], [0, 1, 2, 3]);
    assert.deepEqual([...dataset.train.labels], [1]);
    assert.equal(dataset.classes, 3, "label 2 is in the file, past the rows kept");
    const all = await loadIdxFolder(dir, { id: "idx:x", name: "x", trainRows: 5 });
    assert.equal(all.train.count, 2);
    // Checked whole as before: a byte too many, or a truncated file, is refused.
    const longer = new Uint8Array([...twoImages(), 0]);
    await Deno.writeFile(`${dir}/train-images-idx3-ubyte`, longer);
    await assert.rejects(
      () => loadIdxFolder(dir, { id: "idx:x", name: "x", trainRows: 1 }),
      /has 25 bytes, expected 24/,
    );
    await Deno.writeFile(`${dir}/train-images-idx3-ubyte`, twoImages().subarray(0, 20));
    await assert.rejects(
      () => loadIdxFolder(dir, { id: "idx:x", name: "x", trainRows: 1 }),
      /is truncated: 2 images of 2×2 need 24 bytes, found 20/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
