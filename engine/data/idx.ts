/**
 * Reader for the IDX format that MNIST and Fashion-MNIST ship in
 * (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS FOR THE MNIST DATABASE"): a big-endian
 * header — two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions — then
 * one u32 size per dimension, then the data. Gzipped files (`.gz`, as Debian's
 * `dataset-fashion-mnist` installs them) are decompressed with the Web `DecompressionStream`.
 *
 * @module
 */

import type { Dataset, Examples } from "./dataset.ts";
import {
  checkFolder,
  checkRegularFile,
  DEFAULT_MAX_FILE_BYTES,
  readCapped,
} from "./guarded_read.ts";

const UNSIGNED_BYTE = 0x08;

/** Images of an IDX3 file: `count` images of `rows × cols` u8 pixels, row-major. */
export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
}

/** Parses an `idx3-ubyte` image file (magic 0x00000803). */
export function readIdxImages(bytes: Uint8Array, fileName: string): IdxImages {
  const [count, rows, cols] = readHeader(bytes, fileName, 3);
  const header = 4 + 3 * 4;
  checkLength(
    bytes.length,
    fileName,
    header + count * rows * cols,
    `${count} images of ${rows}×${cols}`,
  );
  return { count, rows, cols, pixels: bytes.subarray(header) };
}

/** Parses an `idx1-ubyte` label file (magic 0x00000801). */
export function readIdxLabels(bytes: Uint8Array, fileName: string): Uint8Array {
  const [count] = readHeader(bytes, fileName, 1);
  const header = 4 + 4;
  checkLength(bytes.length, fileName, header + count, `${count} labels`);
  return bytes.subarray(header);
}

function readHeader(bytes: Uint8Array, fileName: string, dims: number): number[] {
  const header = 4 + dims * 4;
  const truncated = () =>
    new Error(
      `IDX file "${fileName}" is truncated: its header needs ${header} bytes, found ${bytes.length}`,
    );
  if (bytes.length < 4) throw truncated();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const expected = (UNSIGNED_BYTE << 8) | dims;
  if (magic !== expected) {
    throw new Error(
      `IDX file "${fileName}" has magic number ${hex(magic)}, expected ${hex(expected)} ` +
        `(unsigned bytes in ${dims} dimension${dims === 1 ? "" : "s"})`,
    );
  }
  if (bytes.length < header) throw truncated();
  return Array.from({ length: dims }, (_, i) => view.getUint32(4 + i * 4));
}

function checkLength(length: number, fileName: string, expected: number, what: string): void {
  if (length < expected) {
    throw new Error(
      `IDX file "${fileName}" is truncated: ${what} need ${expected} bytes, found ${length}`,
    );
  }
  if (length > expected) {
    throw new Error(`IDX file "${fileName}" has ${length} bytes, expected ${expected} for ${what}`);
  }
}

function hex(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}

/** How to name the dataset that {@linkcode loadIdxFolder} builds. */
export interface IdxFolderOptions {
  id: string;
  name: string;
  /** Defaults to "0", "1", … for as many classes as the labels show. */
  classNames?: string[];
  /** The most bytes one file may hold, decompressed (default 1 GiB). */
  maxFileBytes?: number;
  /**
   * Only the first this many training images are needed: from a plain (not gzipped) file only
   * they are read, the file still checked whole by its size. All when absent.
   */
  trainRows?: number;
}

/**
 * Loads `train-images-idx3-ubyte` + `train-labels-idx1-ubyte` (required) and
 * `t10k-images-idx3-ubyte` + `t10k-labels-idx1-ubyte` (the official test set, optional as a pair)
 * from `dir`, each plain or gzipped. Images must be square and both sets the same size.
 */
export async function loadIdxFolder(dir: string, opts: IdxFolderOptions): Promise<Dataset> {
  await checkFolder(dir, "Dataset folder");
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const train = await loadPair(dir, "train", maxBytes, opts.trainRows);
  if (!train) {
    throw new Error(
      `Dataset folder "${dir}" has no train-images-idx3-ubyte and train-labels-idx1-ubyte ` +
        `(plain or .gz)`,
    );
  }
  const test = await loadPair(dir, "t10k", maxBytes);
  if (test && (test.rows !== train.rows || test.cols !== train.cols)) {
    throw new Error(
      `IDX test images in "${dir}" are ${test.rows}×${test.cols}, ` +
        `expected ${train.rows}×${train.cols} like the training images`,
    );
  }
  if (train.rows !== train.cols) {
    throw new Error(
      `IDX images in "${dir}" are ${train.rows}×${train.cols}, expected square images`,
    );
  }
  const maxLabel = Math.max(train.maxLabel, test?.maxLabel ?? 0);
  const classNames = opts.classNames ??
    Array.from({ length: maxLabel + 1 }, (_, i) => String(i));
  if (maxLabel >= classNames.length) {
    throw new Error(
      `IDX labels in "${dir}" go up to ${maxLabel}, expected at most ${classNames.length - 1}`,
    );
  }
  return {
    id: opts.id,
    name: opts.name,
    features: train.rows * train.cols,
    classes: classNames.length,
    imageSide: train.rows,
    train: train.examples,
    test: test?.examples,
    pixels: true,
    classNames,
  };
}

interface LoadedPair {
  rows: number;
  cols: number;
  examples: Examples;
  /** The largest label in the file, kept rows or not. */
  maxLabel: number;
}

/** The images and labels files of one set; null when both are absent. */
async function loadPair(
  dir: string,
  prefix: string,
  maxBytes: number,
  limit?: number,
): Promise<LoadedPair | null> {
  const imagesPath = await findFile(dir, `${prefix}-images-idx3-ubyte`);
  const labelsPath = await findFile(dir, `${prefix}-labels-idx1-ubyte`);
  if (!imagesPath && !labelsPath) return null;
  if (!imagesPath || !labelsPath) {
    const missing = imagesPath ? `${prefix}-labels-idx1-ubyte` : `${prefix}-images-idx3-ubyte`;
    throw new Error(`Dataset folder "${dir}" has no ${missing} (or ${missing}.gz) to pair with`);
  }
  const whole = limit === undefined || imagesPath.endsWith(".gz");
  const images = whole
    ? readIdxImages(await readIdxFile(imagesPath, maxBytes), imagesPath)
    : await readIdxImagesHead(imagesPath, maxBytes, limit);
  const labels = readIdxLabels(await readIdxFile(labelsPath, maxBytes), labelsPath);
  if (images.count !== labels.length) {
    throw new Error(
      `IDX file "${labelsPath}" has ${labels.length} labels, ` +
        `expected ${images.count} to match the images in "${imagesPath}"`,
    );
  }
  const kept = whole ? images.count : Math.min(limit, images.count);
  let maxLabel = 0;
  for (const label of labels) maxLabel = Math.max(maxLabel, label);
  return {
    rows: images.rows,
    cols: images.cols,
    examples: { count: kept, inputs: images.pixels, labels: labels.subarray(0, kept) },
    maxLabel,
  };
}

/**
 * Plain `idx3-ubyte` file `path` checked as {@linkcode readIdxImages} checks it, its length
 * taken from the file system, with the pixels of only its first `limit` images (`count` stays
 * the file's): a run on MNIST's first 10,000 images reads 8 of its 47 MB.
 */
async function readIdxImagesHead(path: string, maxBytes: number, limit: number) {
  const size = await checkRegularFile(path, "IDX file", maxBytes);
  using file = await Deno.open(path);
  const header = await readFully(file, new Uint8Array(Math.min(size, 16)), path);
  const [count, rows, cols] = readHeader(header, path, 3);
  checkLength(size, path, 16 + count * rows * cols, `${count} images of ${rows}×${cols}`);
  const pixels = new Uint8Array(Math.min(limit, count) * rows * cols);
  return { count, rows, cols, pixels: await readFully(file, pixels, path) };
}

/** Fills `target` from `file`'s current position; a file that ends first is truncated. */
async function readFully(file: Deno.FsFile, target: Uint8Array, path: string) {
  for (let filled = 0; filled < target.length;) {
    const read = await file.read(target.subarray(filled));
    if (read === null) {
      throw new Error(`IDX file "${path}" is truncated: it ended while being read`);
    }
    filled += read;
  }
  return target;
}

async function findFile(dir: string, base: string): Promise<string | null> {
  for (const name of [base, `${base}.gz`]) {
    const path = `${dir}/${name}`;
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return null;
}

function readIdxFile(path: string, maxBytes: number): Promise<Uint8Array> {
  return readCapped(path, "IDX file", maxBytes, { gzip: path.endsWith(".gz") });
}
