// @ts-check
/**
 * Smoothing for noisy curves as TensorBoard draws it: an exponential moving average, debiased
 * so the first points are not pulled towards zero (the scalar dashboard's "Smoothing" slider,
 * `resmoothDataset` in tensorboard/components/vz_line_chart2). Shared by the browser's charts and
 * their tests, hence plain JavaScript.
 *
 * @module
 */

/**
 * `weight` 0 returns the values unchanged; 0.99 follows them slowly. Gaps (null) and values that
 * are not finite stay where they are and leave the average alone.
 *
 * @param {(number | null)[]} values
 * @param {number} weight in [0, 1)
 * @returns {(number | null)[]}
 */
export function smoothValues(values, weight) {
  if (!(weight >= 0 && weight < 1)) {
    throw new RangeError(`Smoothing weight must be in [0, 1), got ${weight}`);
  }
  let last = 0;
  let count = 0;
  return values.map((value) => {
    if (value === null || !Number.isFinite(value)) return value;
    last = last * weight + (1 - weight) * value;
    count++;
    return weight > 0 ? last / (1 - weight ** count) : value;
  });
}
