// torch.optim.RMSprop (https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html) over
// the flat parameter buffer, after adding the L1/L2 penalty's gradient:
//   g ← g + λ·w;  v ← α·v + (1 − α)·g²;  centered: ḡ ← α·ḡ + (1 − α)·g, v' = v − ḡ²;
//   d = √v' + ε;  momentum: b ← μ·b + g/d, w ← w − γ·b;  else w ← w − γ·g/d
// γ and μ come per step (`step.lr`, `step.momentum`): a scheduler may change them.
// `state` holds v, then ḡ when centered, then b when momentum > 0, PARAMS floats each.
// Skips the update from the first step of the epoch whose loss was not finite (epoch_status).
// Libraries: step_params, penalty, epoch_status.

override PARAMS: u32;
override ALPHA: f32 = 0.99;
// 1 − α, rounded once on the host.
override ONE_MINUS_ALPHA: f32 = 0.01;
override EPS: f32 = 1e-8;
override WEIGHT_DECAY: f32 = 0.0;
// Whether the momentum buffer is bound; a step with μ = 0 skips it, as torch.
override USES_MOMENTUM: bool = false;
override CENTERED: bool = false;
override GRAD_AVG_OFFSET: u32 = 0u;
override MOMENTUM_OFFSET: u32 = 0u;
override WORKGROUP_SIZE: u32 = 256u;

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> state: array<f32>;
@group(0) @binding(3) var<storage, read> status: EpochStatus;
@group(1) @binding(0) var<uniform> step: StepParams;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  if (status.first_non_finite <= step.step_in_epoch) {
    return;
  }
  for (var i = id.x; i < PARAMS; i += groups.x * WORKGROUP_SIZE) {
    let w = params[i];
    var g = grads[i] + penalty_gradient(w);
    if (WEIGHT_DECAY != 0.0) {
      g += WEIGHT_DECAY * w;
    }
    let square_avg = ALPHA * state[i] + ONE_MINUS_ALPHA * g * g;
    state[i] = square_avg;
    var variance = square_avg;
    if (CENTERED) {
      let grad_avg = ALPHA * state[GRAD_AVG_OFFSET + i] + ONE_MINUS_ALPHA * g;
      state[GRAD_AVG_OFFSET + i] = grad_avg;
      variance -= grad_avg * grad_avg;
    }
    let denom = sqrt(variance) + EPS;
    if (USES_MOMENTUM && step.momentum > 0.0) {
      let b = step.momentum * state[MOMENTUM_OFFSET + i] + g / denom;
      state[MOMENTUM_OFFSET + i] = b;
      params[i] = w - step.lr * b;
    } else {
      params[i] = w - step.lr * g / denom;
    }
  }
}
