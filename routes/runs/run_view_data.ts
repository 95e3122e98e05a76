/**
 * Everything the run page shows about one run, read from the database and, for a completed run,
 * joined with its test examples: class names for the confusion matrix and per-class scores, test images beside their
 * predicted labels, and the most confidently wrong predictions.
 *
 * @module
 */

import type { Db } from "../../db/client.ts";
import { checkpointEpoch } from "../../db/checkpoints.ts";
import { getPredictions, getRun, type RunRow } from "../../db/runs.ts";
import { getStudyById } from "../../db/studies.ts";
import { classMetrics } from "../../engine/class_metrics.ts";
import type { Dataset, Examples } from "../../engine/data/dataset.ts";
import { datasetClassNames, type DatasetRoots, loadDataset } from "../../engine/data/load.ts";
import { prepareData } from "../../engine/data/split.ts";
import type { Predictions } from "../../engine/predictions.ts";
import type { RunConfig } from "../../engine/spec.ts";
import type { TestRecord } from "../../engine/train.ts";
import { grayPngDataUrl } from "../../views/charts/png.ts";
import type { RunView } from "../../views/runs/run_page.tsx";
import type { RunResults, TestExample } from "../../views/runs/run_results.tsx";
import { continueRefusal } from "./continue_run.ts";

/** Test images shown in order, and how many confidently wrong ones. */
export const TEST_IMAGE_COUNT = 32;
export const WRONG_COUNT = 16;

export async function loadRunView(
  db: Db,
  roots: DatasetRoots,
  id: number,
): Promise<RunView | undefined> {
  const run = await getRun(db, id);
  if (!run) return undefined;
  const config = run.config as RunConfig;
  const origin = await originOf(db, run);
  const test = run.test as TestRecord | null;
  if (run.status !== "completed" || !test) return { run, config, origin };
  const predictions = await getPredictions(db, id);
  const continuable = run.studyId === null &&
    continueRefusal(run, config, await checkpointEpoch(db, id)) === null;
  return {
    run,
    config,
    origin,
    continuable,
    results: await joinTestSet(config, test, roots, predictions),
  };
}

/** The study and trial a final model retrained; its study may have been deleted since. */
async function originOf(db: Db, run: RunRow): Promise<RunView["origin"]> {
  if (run.originStudyId === null || run.originTrialNumber === null) return undefined;
  const study = await getStudyById(db, run.originStudyId);
  return {
    studyId: run.originStudyId,
    studyName: study?.name ?? null,
    trialNumber: run.originTrialNumber,
  };
}

async function joinTestSet(
  config: RunConfig,
  test: TestRecord,
  roots: DatasetRoots,
  predictions: Predictions | undefined,
): Promise<RunResults> {
  let dataset: Dataset | undefined;
  try {
    dataset = await loadDataset(config.data.dataset, roots, { seed: config.seed });
  } catch {
    // The data may have moved since the run; the metrics still stand without it.
  }
  // Named without the data when it has moved since the run.
  const classNames = datasetClassNames(config.data.dataset, test.classes)
    .map((name, k) => dataset?.classNames[k] ?? name);
  const results: RunResults = {
    test,
    classNames,
    classMetrics: classMetrics(test.confusion, classNames),
    samples: [],
    wrong: [],
    wrongTotal: 0,
  };
  if (!dataset || !predictions) return results;

  const examples = testExamples(dataset, config);
  const count = Math.min(examples.count, predictions.predicted.length);
  const side = dataset.imageSide;
  const images = side !== undefined && side * side === dataset.features &&
    examples.inputs instanceof Uint8Array;
  const describe = async (index: number): Promise<TestExample> => ({
    index,
    actual: classNames[examples.labels[index]] ?? String(examples.labels[index]),
    predicted: classNames[predictions.predicted[index]] ?? String(predictions.predicted[index]),
    confidence: predictions.confidence[index],
    src: images
      ? await grayPngDataUrl(
        examples.inputs.subarray(
          index * dataset.features,
          (index + 1) * dataset.features,
        ) as Uint8Array,
        side,
        side,
      )
      : undefined,
  });

  const wrongRows: number[] = [];
  for (let i = 0; i < count; i++) {
    if (predictions.predicted[i] !== examples.labels[i]) wrongRows.push(i);
  }
  wrongRows.sort((a, b) => predictions.confidence[b] - predictions.confidence[a]);
  results.wrongTotal = wrongRows.length;
  results.wrong = await Promise.all(wrongRows.slice(0, WRONG_COUNT).map(describe));
  if (images) {
    const first = Array.from({ length: Math.min(count, TEST_IMAGE_COUNT) }, (_, i) => i);
    results.samples = await Promise.all(first.map(describe));
    results.imageSide = side;
  }
  return results;
}

/**
 * The run's test split, in the order its predictions were stored. A dataset with an official test
 * set tests on its first `testSize` examples, exactly as `prepareData` takes them, so this reads
 * them directly instead of copying the whole training pool; other datasets carve the test split
 * out of the pool and need the seeded split itself.
 */
function testExamples(dataset: Dataset, config: RunConfig): Examples {
  if (dataset.test) {
    const count = Math.min(config.data.testSize ?? dataset.test.count, dataset.test.count);
    return {
      count,
      inputs: dataset.test.inputs.subarray(0, count * dataset.features),
      labels: dataset.test.labels.subarray(0, count),
    };
  }
  return prepareData(dataset, config.data, config.seed).test;
}
