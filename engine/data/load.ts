/**
 * Dataset ids → loaded {@linkcode Dataset}s, cached per process because parsing MNIST's 47 MB
 * of IDX once serves every later run.
 *
 * @module
 */

import type { Dataset } from "./dataset.ts";
import { parseCsvStream } from "./csv.ts";
import { checkRegularFile, DEFAULT_MAX_FILE_BYTES, openCapped } from "./guarded_read.ts";
import { resolveDatasetPath } from "./dataset_path.ts";
import { loadIdxFolder } from "./idx.ts";
import { peekIdxImages } from "./peek.ts";
import { SYNTHETIC_BINARY, syntheticBinary } from "./synthetic.ts";

/** Where the built-in datasets live; `config/paths.ts` finds the defaults. */
export interface DatasetRoots {
  /** Folder with MNIST's four IDX files. */
  mnist: string;
  /** Folder with Fashion-MNIST's IDX files (plain or .gz), when installed. */
  fashionMnist?: string;
  /** When given, `idx:` and `csv:` paths must lie inside one of these folders. */
  allowedRoots?: string[];
  /** The most bytes one dataset file may hold, decompressed (default 1 GiB). */
  maxFileBytes?: number;
}

export interface LoadOptions {
  /** Seed of generated datasets (`synthetic-binary`); the run seed. */
  seed?: number;
  /**
   * The training rows a run takes (its `data.trainSize`): an IDX dataset in plain files is then
   * read only that far (a later load asking for more reads it again). All when absent.
   */
  trainRows?: number;
}

/** A built-in dataset as the dashboard and `GET /api/datasets` list it. */
export interface DatasetInfo {
  id: string;
  name: string;
  features: number;
  classes: number;
  /** Size of the training pool. */
  train: number;
  /** Size of the official test set; 0 when there is none (the split carves one out). */
  test: number;
  imageSide?: number;
}

const FASHION_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

const SYNTHETIC_INFO: DatasetInfo = {
  id: SYNTHETIC_BINARY.id,
  name: SYNTHETIC_BINARY.name,
  features: SYNTHETIC_BINARY.features,
  classes: SYNTHETIC_BINARY.classes,
  train: SYNTHETIC_BINARY.rows,
  test: 0,
};

const ALLOWED_IDS = '"mnist", "fashion-mnist", "synthetic-binary", "idx:<dir>" or "csv:<path>"';

/**
 * Loaded datasets by id; `version` tells a CSV file edited since it was read, `trainRows` how
 * many training rows were asked for (Infinity: all).
 */
const cache = new Map<
  string,
  { version: string; trainRows: number; dataset: Promise<Dataset> }
>();

/** Loads (or returns the cached) dataset named by `id`. */
export function loadDataset(
  id: string,
  roots: DatasetRoots,
  options: LoadOptions = {},
): Promise<Dataset> {
  const { trainRows } = options;
  if (id === "mnist") {
    return cached(
      `mnist\0${roots.mnist}`,
      "",
      (trainRows) =>
        loadIdxFolder(roots.mnist, {
          id,
          name: "MNIST",
          classNames: digits(),
          maxFileBytes: roots.maxFileBytes,
          trainRows,
        }),
      trainRows,
    );
  }
  if (id === "fashion-mnist") {
    const dir = roots.fashionMnist;
    if (!dir) {
      return Promise.reject(
        new Error(
          `Dataset "fashion-mnist" is not installed: run "apt-get install dataset-fashion-mnist" ` +
            `or give its IDX folder as "idx:<dir>"`,
        ),
      );
    }
    return cached(
      `fashion-mnist\0${dir}`,
      "",
      (trainRows) =>
        loadIdxFolder(dir, {
          id,
          name: "Fashion-MNIST",
          classNames: FASHION_CLASSES,
          maxFileBytes: roots.maxFileBytes,
          trainRows,
        }),
      trainRows,
    );
  }
  if (id === SYNTHETIC_BINARY.id) {
    const seed = options.seed ?? 0;
    return cached(`${id}\0${seed}`, "", () => Promise.resolve(syntheticBinary(seed)));
  }
  if (id.startsWith("idx:")) return loadIdx(id, roots, trainRows);
  if (id.startsWith("csv:")) return loadCsv(id, roots);
  return Promise.reject(new Error(`Unknown dataset "${id}": expected ${ALLOWED_IDS}`));
}

async function loadIdx(id: string, roots: DatasetRoots, trainRows?: number): Promise<Dataset> {
  const dir = await resolveDatasetPath(id, id.slice("idx:".length), roots.allowedRoots);
  return cached(
    id,
    dir,
    (trainRows) =>
      loadIdxFolder(dir, { id, name: id, maxFileBytes: roots.maxFileBytes, trainRows }),
    trainRows,
  );
}

async function loadCsv(id: string, roots: DatasetRoots): Promise<Dataset> {
  const path = await resolveDatasetPath(id, id.slice("csv:".length), roots.allowedRoots);
  const maxBytes = roots.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  await checkRegularFile(path, "CSV file", maxBytes);
  const modified = (await Deno.stat(path)).mtime;
  return cached(id, `${path}\0${modified?.getTime()}`, async () => {
    const table = await parseCsvStream(await openCapped(path, "CSV file", maxBytes), path);
    return {
      id,
      name: id,
      features: table.features,
      classes: table.classes,
      train: table.examples,
      pixels: false,
      classNames: Array.from({ length: table.classes }, (_, i) => String(i)),
    };
  });
}

/**
 * The cached promise for `key` at `version` with at least `trainRows` training rows asked for
 * (all when absent); a failed load is forgotten so a fix takes effect.
 */
function cached(
  key: string,
  version: string,
  load: (trainRows?: number) => Promise<Dataset>,
  trainRows?: number,
): Promise<Dataset> {
  const hit = cache.get(key);
  if (hit && hit.version === version && hit.trainRows >= (trainRows ?? Infinity)) {
    return hit.dataset;
  }
  const dataset = load(trainRows);
  cache.set(key, { version, trainRows: trainRows ?? Infinity, dataset });
  dataset.catch(() => {
    if (cache.get(key)?.dataset === dataset) cache.delete(key);
  });
  return dataset;
}

/**
 * The names a dataset gives its classes, without loading it: Fashion-MNIST's garments; every
 * other dataset names class k "k".
 */
export function datasetClassNames(id: string, classes: number): string[] {
  return Array.from(
    { length: classes },
    (_, k) => (id === "fashion-mnist" ? FASHION_CLASSES[k] : undefined) ?? String(k),
  );
}

function digits(): string[] {
  return Array.from({ length: 10 }, (_, i) => String(i));
}

/** The built-in datasets that are installed here, with their sizes. */
export async function describeDatasets(roots: DatasetRoots): Promise<DatasetInfo[]> {
  const infos: DatasetInfo[] = [];
  const builtIns: [string, string | undefined][] = [
    ["mnist", roots.mnist],
    ["fashion-mnist", roots.fashionMnist],
  ];
  for (const [id, dir] of builtIns) {
    if (!dir || !(await exists(dir))) continue;
    const dataset = await loadDataset(id, roots);
    infos.push({
      id: dataset.id,
      name: dataset.name,
      features: dataset.features,
      classes: dataset.classes,
      train: dataset.train.count,
      test: dataset.test?.count ?? 0,
      imageSide: dataset.imageSide,
    });
  }
  return [...infos, SYNTHETIC_INFO];
}

/**
 * What {@linkcode describeDatasets} says, from the IDX files' headers alone: what a command-line
 * process needs to admit runs, in milliseconds, where loading MNIST and gunzipping
 * Fashion-MNIST take over a second. A file broken past its header shows when a run loads it.
 */
export async function peekDatasets(roots: DatasetRoots): Promise<DatasetInfo[]> {
  const maxBytes = roots.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const infos: DatasetInfo[] = [];
  const builtIns: [string, string, number, string | undefined][] = [
    ["mnist", "MNIST", digits().length, roots.mnist],
    ["fashion-mnist", "Fashion-MNIST", FASHION_CLASSES.length, roots.fashionMnist],
  ];
  for (const [id, name, classes, dir] of builtIns) {
    if (!dir || !(await exists(dir))) continue;
    const train = await peekIdxImages(dir, "train", maxBytes);
    if (!train) throw new Error(`Dataset folder "${dir}" has no readable train-images-idx3-ubyte`);
    const test = await peekIdxImages(dir, "t10k", maxBytes);
    infos.push({
      id,
      name,
      features: train.rows * train.cols,
      classes,
      train: train.count,
      test: test?.count ?? 0,
      imageSide: train.rows,
    });
  }
  return [...infos, SYNTHETIC_INFO];
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
