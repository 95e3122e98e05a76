/**
 * What a generated PyTorch script needs from a run config: how it finds the dataset, and the
 * features (`export/python_source.ts`) that decide which parts of the Python it holds.
 *
 * @module
 */

import type { RunConfig } from "../engine/spec.ts";

/** Where the script reads the data from, and whether the test set is the official one. */
export interface ScriptDataset {
  kind: "idx" | "csv" | "synthetic";
  /** The default of `--data`: an IDX folder or a CSV file; null for generated data. */
  path: string | null;
  /** The torchvision.datasets class that downloads the IDX files to `path`, if any. */
  torchvision: string | null;
  /** Whether the test set is the dataset's own, else carved from the pool by ajuste's shuffle. */
  officialTest: boolean;
}

/** Whether dataset `id` holds images of u8 pixels (IDX files), which ToTensor divides by 255. */
export function isPixelDataset(id: string): boolean {
  return id === "mnist" || id === "fashion-mnist" || id.startsWith("idx:");
}

/** How the script loads `config.data.dataset`. */
export function scriptDataset(config: RunConfig): ScriptDataset {
  const id = config.data.dataset;
  if (id === "mnist" || id === "fashion-mnist") {
    const torchvision = id === "mnist" ? "MNIST" : "FashionMNIST";
    // torchvision.datasets.MNIST("data", download=True) leaves the IDX files in data/MNIST/raw.
    return { kind: "idx", path: `data/${torchvision}/raw`, torchvision, officialTest: true };
  }
  if (id.startsWith("idx:")) {
    // An IDX folder keeps its t10k files as test set; ajuste refuses split.test for one that has
    // them, and needs it for one that has not.
    const carved = (config.data.split.test ?? 0) > 0;
    return { kind: "idx", path: id.slice(4), torchvision: null, officialTest: !carved };
  }
  if (id.startsWith("csv:")) {
    return { kind: "csv", path: id.slice(4), torchvision: null, officialTest: false };
  }
  return { kind: "synthetic", path: null, torchvision: null, officialTest: false };
}

/** The dataset's features: how it is read and how its test set is made. */
export function datasetFeatures(dataset: ScriptDataset): string[] {
  return [
    dataset.kind,
    ...(dataset.kind === "synthetic" ? [] : ["files"]),
    ...(dataset.torchvision ? ["download"] : []),
    dataset.officialTest ? "official_test" : "carved_test",
  ];
}

/** The features a script training `config` needs beyond its dataset's. */
export function trainingFeatures(config: RunConfig): string[] {
  const features: string[] = [config.optimizer.type];
  if (config.model.init !== "default") features.push("init");
  if (config.scheduler) features.push("scheduler", config.scheduler.type);
  if (config.earlyStopping) features.push("early_stopping");
  if (config.regularization.l1 > 0 || config.regularization.l2 > 0) features.push("penalty");
  if (config.gradientClipping) features.push("clipping");
  return features;
}
