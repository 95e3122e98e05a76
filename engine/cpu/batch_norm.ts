/**
 * `torch.nn.BatchNorm1d(features)` with PyTorch's defaults (eps 1e-5, momentum 0.1, affine,
 * tracking running statistics), on [batch × features] row-major inputs.
 *
 * Training normalises with the biased batch variance but updates `running_var` with the unbiased
 * one (https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html); evaluation uses the
 * running statistics. Sums are two-pass in f64, as torch's CPU kernel accumulates in double.
 *
 * @module
 */

export const BATCH_NORM_EPS = 1e-5;
export const BATCH_NORM_MOMENTUM = 0.1;

/** The learnable affine parameters and the tracked buffers of one BatchNorm1d, each [features]. */
export interface BatchNormState {
  /** γ, torch's `weight` (initialised to 1). */
  gamma: Float32Array;
  /** β, torch's `bias` (initialised to 0). */
  beta: Float32Array;
  runningMean: Float32Array;
  runningVar: Float32Array;
  /** One element; int64 in torch, counted here in f32 (exact up to 2^24 batches). */
  numBatchesTracked: Float32Array;
}

/** Fresh state as torch initialises it: γ = 1, β = 0, running mean 0 and variance 1. */
export function createBatchNormState(features: number): BatchNormState {
  return {
    gamma: new Float32Array(features).fill(1),
    beta: new Float32Array(features),
    runningMean: new Float32Array(features),
    runningVar: new Float32Array(features).fill(1),
    numBatchesTracked: new Float32Array(1),
  };
}

/** What the training forward saves for {@linkcode batchNormBackward}. */
export interface BatchNormSaved {
  /** [batch × features] normalised inputs (x − μ_B)/√(σ²_B + ε). */
  xHat: Float32Array;
  /** [features] 1/√(σ²_B + ε). */
  invStd: Float32Array;
}

/**
 * Training forward: y = γ·x̂ + β with batch statistics; updates the running statistics and the
 * batch counter in `state`. Throws for a batch of one row, as torch does.
 */
export function batchNormTrainForward(
  x: Float32Array,
  batch: number,
  features: number,
  state: BatchNormState,
  y: Float32Array,
  saved: BatchNormSaved,
): void {
  if (batch < 2) {
    throw new RangeError(
      `Expected more than 1 value per channel when training, got input size [${batch}, ${features}]` +
        `: batch norm needs batches of at least 2 rows`,
    );
  }
  const mean = new Float64Array(features);
  const squares = new Float64Array(features);
  for (let i = 0; i < batch; i++) {
    const row = i * features;
    for (let f = 0; f < features; f++) mean[f] += x[row + f];
  }
  for (let f = 0; f < features; f++) mean[f] /= batch;
  for (let i = 0; i < batch; i++) {
    const row = i * features;
    for (let f = 0; f < features; f++) {
      const d = x[row + f] - mean[f];
      squares[f] += d * d;
    }
  }
  const { gamma, beta, runningMean, runningVar } = state;
  const { xHat, invStd } = saved;
  for (let f = 0; f < features; f++) {
    invStd[f] = 1 / Math.sqrt(squares[f] / batch + BATCH_NORM_EPS);
    runningMean[f] = (1 - BATCH_NORM_MOMENTUM) * runningMean[f] + BATCH_NORM_MOMENTUM * mean[f];
    runningVar[f] = (1 - BATCH_NORM_MOMENTUM) * runningVar[f] +
      BATCH_NORM_MOMENTUM * (squares[f] / (batch - 1));
  }
  state.numBatchesTracked[0] += 1;
  for (let i = 0; i < batch; i++) {
    const row = i * features;
    for (let f = 0; f < features; f++) {
      const normalised = (x[row + f] - mean[f]) * invStd[f];
      xHat[row + f] = normalised;
      y[row + f] = gamma[f] * normalised + beta[f];
    }
  }
}

/** Evaluation forward: y = γ·(x − running_mean)/√(running_var + ε) + β. */
export function batchNormEvalForward(
  x: Float32Array,
  batch: number,
  features: number,
  state: BatchNormState,
  y: Float32Array,
): void {
  const scale = new Float64Array(features);
  const shift = new Float64Array(features);
  for (let f = 0; f < features; f++) {
    scale[f] = state.gamma[f] / Math.sqrt(state.runningVar[f] + BATCH_NORM_EPS);
    shift[f] = state.beta[f] - state.runningMean[f] * scale[f];
  }
  for (let i = 0; i < batch; i++) {
    const row = i * features;
    for (let f = 0; f < features; f++) y[row + f] = x[row + f] * scale[f] + shift[f];
  }
}

/**
 * Training backward: dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·invStd/N · (N·dy − dβ − x̂·dγ).
 * `dX` may alias `dY`.
 */
export function batchNormBackward(
  dY: Float32Array,
  saved: BatchNormSaved,
  gamma: Float32Array,
  batch: number,
  features: number,
  dX: Float32Array,
  dGamma: Float32Array,
  dBeta: Float32Array,
): void {
  const { xHat, invStd } = saved;
  const sumDy = new Float64Array(features);
  const sumDyXHat = new Float64Array(features);
  for (let i = 0; i < batch; i++) {
    const row = i * features;
    for (let f = 0; f < features; f++) {
      sumDy[f] += dY[row + f];
      sumDyXHat[f] += dY[row + f] * xHat[row + f];
    }
  }
  for (let f = 0; f < features; f++) {
    dBeta[f] = sumDy[f];
    dGamma[f] = sumDyXHat[f];
  }
  for (let i = 0; i < batch; i++) {
    const row = i * features;
    for (let f = 0; f < features; f++) {
      const scale = (gamma[f] * invStd[f]) / batch;
      dX[row + f] = scale * (batch * dY[row + f] - sumDy[f] - xHat[row + f] * sumDyXHat[f]);
    }
  }
}
