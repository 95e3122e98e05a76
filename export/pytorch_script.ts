/**
 * A run as a PyTorch script (`GET /api/runs/:id/pytorch.py`): one self-contained file that trains
 * the run's configuration the way the exercise's notebook does — a TensorDataset cut with
 * random_split, DataLoader, nn.Sequential blocks Linear → BatchNorm1d → activation → Dropout, the
 * init loop, torch.optim with every knob, lr_scheduler, clipping, early stopping, the L1/L2
 * penalty in the loss, model.train()/model.eval(), the device line — and that with
 * `--weights run.safetensors` tests the run's own weights instead, printing the test metrics
 * ajuste stored.
 *
 * The script is made of the files in `export/python/`, holding only the parts its configuration
 * uses (`python_source.ts`); the config itself sits at the top as a Python dict with ajuste's
 * field names.
 *
 * @module
 */

import type { RunConfig } from "../engine/spec.ts";
import { keepFeatures, pythonLiteral, pythonSection } from "./python_source.ts";
import {
  datasetFeatures,
  type ScriptDataset,
  scriptDataset,
  trainingFeatures,
} from "./script_features.ts";

/** What the script says of a run: its id, and the test metrics ajuste stored for it. */
export interface ScriptRun {
  id?: number;
  config: RunConfig;
  test?: { loss: number; accuracy: number; count: number } | null;
}

/** Rows per evaluation batch: only memory depends on it. */
const EVAL_BATCH_SIZE = 1000;

/** The Python of the named sections, each with only the parts `features` keeps. */
export function sections(names: string[], features: ReadonlySet<string>): string[] {
  return names.map((name) => keepFeatures(pythonSection(name), features, name));
}

/** The sections that load the data and train a config, shared by the run and study scripts. */
export function trainingSectionNames(dataset: ScriptDataset): string[] {
  const xoshiro = dataset.kind === "synthetic" || !dataset.officialTest;
  return [
    ...(xoshiro ? ["xoshiro"] : []),
    "dataset",
    { idx: "data_idx", csv: "data_csv", synthetic: "data_synthetic" }[dataset.kind],
    "splits",
    "model",
    "training",
  ];
}

/**
 * The import lines of a script with `features`; `extra` are further standard modules, `optuna`
 * adds that import.
 */
export function importLines(
  features: ReadonlySet<string>,
  extra: string[] = [],
  optuna = false,
): string {
  const standard = new Set(["argparse", "copy", "math", ...extra]);
  if (features.has("idx")) ["gzip", "os", "struct"].forEach((name) => standard.add(name));
  if (features.has("csv")) standard.add("re");
  const data = ["DataLoader", ...(features.has("carved_test") ? ["Subset"] : [])];
  return [
    ...[...standard].sort().map((name) => `import ${name}`),
    "from collections import OrderedDict",
    "from dataclasses import dataclass",
    "",
    ...(optuna ? ["import optuna"] : []),
    "import torch",
    "from torch import nn",
    `from torch.utils.data import ${[...data, "TensorDataset", "random_split"].join(", ")}`,
  ].join("\n");
}

/** The constants every script starts with after its config: where the data is, batch sizes. */
export function dataConstants(dataset: ScriptDataset): string {
  const lines: string[] = [];
  if (dataset.torchvision) {
    lines.push(
      `# torchvision.datasets.${dataset.torchvision}("data", download=True) puts the IDX files here.`,
      `DATA_PATH = ${JSON.stringify(dataset.path)}`,
      `TORCHVISION_DATASET = ${JSON.stringify(dataset.torchvision)}`,
    );
  } else if (dataset.path !== null) {
    lines.push(
      `DATA_PATH = ${JSON.stringify(dataset.path)}  # as the ajuste server saw it; see --data`,
    );
  }
  lines.push(`EVAL_BATCH_SIZE = ${EVAL_BATCH_SIZE}  # rows per batch when evaluating`);
  return lines.join("\n");
}

/** How to get the data, for the docstring. */
export function dataNote(dataset: ScriptDataset): string {
  switch (dataset.kind) {
    case "idx":
      return dataset.torchvision
        ? "The data are the IDX files in --data; where they are missing, torchvision downloads\n" +
          "them (the script needs torchvision only for that)."
        : `The data are the IDX files (train-*, t10k-*; plain or .gz) in the folder --data.`;
    case "csv":
      return "The data are the CSV file --data: numeric columns, the last one the class label.";
    case "synthetic":
      return "The data are generated from the run's seed with ajuste's own generator, ported here.";
  }
}

function docstring(run: ScriptRun, dataset: ScriptDataset, name: string): string {
  const title = run.id === undefined
    ? `The ajuste run "${run.config.name}" as a PyTorch script.`
    : `Run #${run.id} "${run.config.name}" of ajuste as a PyTorch script.`;
  const download = run.id === undefined ? "" : `(GET /api/runs/${run.id}/model)`;
  const data = dataset.path === null ? "" : " [--data PATH]";
  const lines = [
    title,
    "",
    "It trains the run's configuration (CONFIG below: ajuste's run config, every default filled in)",
    "as a PyTorch notebook would, or tests ajuste's trained weights of the run:",
    "",
    `    python3 ${name}${data} [--epochs N]     train anew; print the test loss and accuracy`,
    `    python3 ${name}${data} --weights FILE   test the run's weights file instead`,
    ...(download ? [`    ${" ".repeat(name.length + data.length + 8)}${download}`] : []),
    "",
    "With --weights the test metrics are ajuste's to float32 rounding: the script builds the run's",
    "test set and inputs exactly as ajuste does. A new training lands near them, not on them: the",
    "weights, batch order, dropout and dev rows come from PyTorch's generator.",
    "",
    dataNote(dataset),
    "Needs torch (1.13 or later).",
  ];
  return `"""${lines.join("\n").replace(/[ \t]+$/gm, "")}\n"""`;
}

/** The run's features: its dataset's and its training's. */
export function runFeatures(config: RunConfig): Set<string> {
  return new Set([...datasetFeatures(scriptDataset(config)), ...trainingFeatures(config)]);
}

/** The whole script; `fileName` is what its usage lines call it. */
export function pytorchScript(run: ScriptRun, fileName = "run.py"): string {
  const dataset = scriptDataset(run.config);
  const features = runFeatures(run.config);
  const test = run.test
    ? { loss: run.test.loss, accuracy: run.test.accuracy, count: run.test.count }
    : null;
  const parts = [
    docstring(run, dataset, fileName),
    importLines(features, ["json", "struct"]),
    [
      "# ajuste's run config, every default filled in.",
      `CONFIG = ${pythonLiteral(run.config, 0, 100, "CONFIG = ".length)}`,
      "# What ajuste measured on the test set with the run's weights (None: it did not finish).",
      `RUN_TEST = ${pythonLiteral(test)}`,
      dataConstants(dataset),
    ].join("\n"),
    ...sections([...trainingSectionNames(dataset), "weights", "main_run"], features),
  ];
  return `${parts.join("\n\n\n")}\n`;
}
