/**
 * The size of an `idx:` or `csv:` dataset from a glance at its files — IDX headers, a CSV's
 * first lines and byte count — without loading it: what admission needs to estimate a run
 * before the run exists (see `engine/memory_estimate.ts`).
 *
 * @module
 */

import { resolveDatasetPath } from "./dataset_path.ts";
import {
  checkFolder,
  checkRegularFile,
  DEFAULT_MAX_FILE_BYTES,
  openCapped,
} from "./guarded_read.ts";
import type { DatasetRoots } from "./load.ts";

/** Rows, features, and whether values are pixels (u8) or CSV floats. */
export interface PeekedShape {
  rows: number;
  /** Rows of the official test set (0 for CSV). */
  testRows: number;
  features: number;
  /** An upper bound: CSV labels are only known once read (at most 256 classes). */
  classes: number;
  pixels: boolean;
}

/** Up to `count` bytes from the start of `path` (gunzipped when it ends in .gz). */
async function head(path: string, count: number, maxBytes: number): Promise<Uint8Array> {
  const stream = await openCapped(path, "Dataset file", maxBytes, { gzip: path.endsWith(".gz") });
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < count) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
      total += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes.subarray(0, count);
}

/**
 * The image count and size of `<prefix>-images-idx3-ubyte` (plain or .gz) in `dir`, from its
 * header alone; null when there is no such readable file.
 */
export async function peekIdxImages(
  dir: string,
  prefix: string,
  maxBytes: number,
): Promise<{ count: number; rows: number; cols: number } | null> {
  for (const name of [`${prefix}-images-idx3-ubyte`, `${prefix}-images-idx3-ubyte.gz`]) {
    const path = `${dir}/${name}`;
    try {
      await checkRegularFile(path, "IDX file", maxBytes);
    } catch {
      continue;
    }
    const header = await head(path, 16, maxBytes);
    if (header.length < 16) return null;
    const view = new DataView(header.buffer, header.byteOffset, 16);
    return { count: view.getUint32(4), rows: view.getUint32(8), cols: view.getUint32(12) };
  }
  return null;
}

/** The shape of `idx:<dir>` or `csv:<path>`; throws what loading would (a missing file…). */
export async function peekDataset(id: string, roots: DatasetRoots): Promise<PeekedShape> {
  const maxBytes = roots.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const raw = id.slice(id.indexOf(":") + 1);
  const path = await resolveDatasetPath(id, raw, roots.allowedRoots);
  if (id.startsWith("idx:")) {
    await checkFolder(path, "Dataset folder");
    const train = await peekIdxImages(path, "train", maxBytes);
    if (!train) throw new Error(`Dataset folder "${path}" has no readable train-images-idx3-ubyte`);
    const test = await peekIdxImages(path, "t10k", maxBytes);
    return {
      rows: train.count + (test?.count ?? 0),
      testRows: test?.count ?? 0,
      features: train.rows * train.cols,
      classes: 256,
      pixels: true,
    };
  }
  const size = await checkRegularFile(path, "CSV file", maxBytes);
  const sample = new TextDecoder().decode(await head(path, 64 * 1024, maxBytes));
  const lines = sample.split(/\r?\n/).filter((line) => line.trim() !== "");
  const complete = sample.length < 64 * 1024 ? lines : lines.slice(0, -1);
  const columns = complete[0]?.split(",").length ?? 1;
  const sampled = Math.max(1, complete.length);
  const averageLine = Math.max(1, complete.join("\n").length / sampled);
  return {
    rows: Math.ceil(size / averageLine),
    testRows: 0,
    features: Math.max(1, columns - 1),
    classes: 256,
    pixels: false,
  };
}
