/**
 * Per-class precision, recall, F1 and support from a test confusion matrix, with macro and
 * weighted averages, as torcheval defines them (`multiclass_precision`, `multiclass_recall`,
 * `multiclass_f1_score` with `average=None`, `"macro"`, `"weighted"`; see `_precision_compute`,
 * `_recall_compute` and `_f1_score_compute` in torcheval/metrics/functional/classification/).
 *
 * @module
 */

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassRow extends ClassScores {
  /** The class's name in its dataset ("7", "Sneaker"). */
  name: string;
  /** Test examples whose true class this is. */
  support: number;
}

export interface ClassMetrics {
  /** One row per class, in class order. */
  perClass: ClassRow[];
  /** Unweighted mean over the classes that have support or predictions. */
  macro: ClassScores;
  /** Mean weighted by support, over the same classes. */
  weighted: ClassScores;
}

/**
 * From `confusion[trueClass * classes + predictedClass]`, one name per class. A 0/0 (a class never predicted, or
 * with no support) counts as 0, as torcheval's `nan_to_num` makes it; a class with neither
 * support nor predictions is left out of both averages, as torcheval's mask leaves it.
 */
export function classMetrics(confusion: ArrayLike<number>, classNames: string[]): ClassMetrics {
  const classes = classNames.length;
  if (confusion.length !== classes * classes) {
    throw new Error(
      `Confusion matrix has ${confusion.length} cells, expected ${classes}×${classes}`,
    );
  }
  const predictedCount = new Array<number>(classes).fill(0);
  const perClass: ClassRow[] = [];
  for (let t = 0; t < classes; t++) {
    for (let p = 0; p < classes; p++) predictedCount[p] += confusion[t * classes + p];
  }
  for (let k = 0; k < classes; k++) {
    let support = 0;
    for (let p = 0; p < classes; p++) support += confusion[k * classes + p];
    const truePositives = confusion[k * classes + k];
    const precision = ratio(truePositives, predictedCount[k]);
    const recall = ratio(truePositives, support);
    const f1 = ratio(2 * precision * recall, precision + recall);
    perClass.push({ name: classNames[k], precision, recall, f1, support });
  }
  const counted = perClass.filter((row, k) => row.support > 0 || predictedCount[k] > 0);
  const totalSupport = counted.reduce((sum, row) => sum + row.support, 0);
  const average = (weight: (row: ClassRow) => number): ClassScores => {
    const mean = (key: keyof ClassScores) =>
      counted.reduce((sum, row) => sum + row[key] * weight(row), 0);
    return { precision: mean("precision"), recall: mean("recall"), f1: mean("f1") };
  };
  return {
    perClass,
    macro: average(() => 1 / counted.length),
    weighted: average((row) => row.support / totalSupport),
  };
}

/** torcheval divides and then maps NaN (0/0) to 0. */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
