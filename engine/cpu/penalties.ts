/**
 * The explicit L1/L2 ("elastic net" when both) penalty of the exercise's `l1_l2_regularization`:
 * loss + l1·Σ|w| + l2·Σw² over every parameter, biases and batch-norm γ/β included (buffers such
 * as running statistics are not parameters). Unlike an optimizer's `weightDecay`, it is part of
 * the objective, so its gradient flows through every optimizer's update rule.
 *
 * @module
 */

/** l1·Σ|w| + l2·Σw² over all `params` (summed in f64). */
export function penaltyValue(params: Float32Array[], l1: number, l2: number): number {
  let absSum = 0;
  let squareSum = 0;
  for (const param of params) {
    for (let i = 0; i < param.length; i++) {
      absSum += Math.abs(param[i]);
      squareSum += param[i] * param[i];
    }
  }
  return l1 * absSum + l2 * squareSum;
}

/** grads += l1·sign(w) + 2·l2·w, with sign(0) = 0 as `torch.sign` (the gradient of |w| at 0). */
export function addPenaltyGradient(
  params: Float32Array[],
  grads: Float32Array[],
  l1: number,
  l2: number,
): void {
  if (l1 === 0 && l2 === 0) return;
  for (let t = 0; t < params.length; t++) {
    const param = params[t];
    const grad = grads[t];
    for (let i = 0; i < param.length; i++) {
      grad[i] += l1 * Math.sign(param[i]) + 2 * l2 * param[i];
    }
  }
}
