// The output layer's losses, as engine/cpu/losses.ts defines them (reduction "mean" over the
// batch, or over batch × outputs for the element-wise losses), shared by the `loss` (training)
// and `loss_evaluate` kernels, which declare `logits` and `step`:
//   cross_entropy:   logsumexp(z) − z[y], gradient (softmax − onehot) / rows
//   bce_with_logits: max(z, 0) − z·t + log(1 + e^(−|z|)), gradient (σ(z) − t) / (rows · outputs)
//   bce:             BCELoss(σ(z), t) with logs floored at −100, gradient through both steps
//   mse:             (z − t)², gradient 2(z − t) / (rows · outputs)
// Targets are the label's one-hot row, or the label itself with a single output.
// Per-row results accumulate into metric slot `row` (WGSL has no float atomics, and rows never
// collide within a step); metrics_reduce folds the slots into `Totals` once per epoch or
// evaluation.

const LOSS_CROSS_ENTROPY = 0u;
const LOSS_BCE_WITH_LOGITS = 1u;
const LOSS_BCE = 2u;
const LOSS_MSE = 3u;

const BCE_LOG_FLOOR = -100.0;
const BCE_GRAD_EPSILON = 1e-12;

override LOSS: u32;
override CLASSES: u32;
// CLASSES, or 1 for a binary loss on two classes.
override OUTPUTS: u32;
override WORKGROUP_SIZE: u32 = 64u;

struct RowMetrics {
  // Σ over steps of this row's loss (the mean over its outputs for element-wise losses).
  loss: f32,
  correct: u32,
}

fn sigmoid(z: f32) -> f32 {
  return 1.0 / (1.0 + exp(-z));
}

fn target_value(label: u32, unit: u32) -> f32 {
  if (OUTPUTS == 1u) {
    return f32(label);
  }
  return select(0.0, 1.0, unit == label);
}

// WGSL lets compilers assume floats are finite, so test the exponent bits instead.
fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

fn predicted_class(row: u32) -> u32 {
  let base = row * OUTPUTS;
  if (OUTPUTS == 1u) {
    let z = logits[base];
    if (LOSS == LOSS_BCE) {
      return select(0u, 1u, sigmoid(z) > 0.5);
    }
    return select(0u, 1u, z > 0.0);
  }
  var best = 0u;
  for (var j = 1u; j < OUTPUTS; j++) {
    if (logits[base + j] > logits[base + best]) {
      best = j;
    }
  }
  return best;
}

fn log_sum_exp(base: u32) -> f32 {
  var max_logit = logits[base];
  for (var j = 1u; j < OUTPUTS; j++) {
    max_logit = max(max_logit, logits[base + j]);
  }
  var sum_exp = 0.0;
  for (var j = 0u; j < OUTPUTS; j++) {
    sum_exp += exp(logits[base + j] - max_logit);
  }
  return max_logit + log(sum_exp);
}

// Loss of one element (z, t) for the element-wise losses, and its gradient in z before the mean.
fn elementwise(z: f32, t: f32) -> vec2<f32> {
  switch LOSS {
    case LOSS_MSE: {
      return vec2<f32>((z - t) * (z - t), 2.0 * (z - t));
    }
    case LOSS_BCE_WITH_LOGITS: {
      let loss = max(z, 0.0) - z * t + log(1.0 + exp(-abs(z)));
      return vec2<f32>(loss, sigmoid(z) - t);
    }
    default: {
      let p = sigmoid(z);
      let q = 1.0 - p;
      let loss = -(t * max(log(p), BCE_LOG_FLOOR) + (1.0 - t) * max(log(q), BCE_LOG_FLOOR));
      let pq = p * q;
      return vec2<f32>(loss, (p - t) / max(pq, BCE_GRAD_EPSILON) * pq);
    }
  }
}

// This row's loss: the mean over its outputs for the element-wise losses, so that summing rows
// and dividing by the batch size gives the batch's loss.
fn row_loss(row: u32, label: u32) -> f32 {
  let base = row * OUTPUTS;
  if (LOSS == LOSS_CROSS_ENTROPY) {
    return log_sum_exp(base) - logits[base + label];
  }
  var total = 0.0;
  for (var j = 0u; j < OUTPUTS; j++) {
    total += elementwise(logits[base + j], target_value(label, j)).x;
  }
  return total / f32(OUTPUTS);
}
