// torch.optim.Adam and AdamW (https://pytorch.org/docs/stable/generated/torch.optim.Adam.html,
// .../torch.optim.AdamW.html) over the flat parameter buffer, after adding the L1/L2 penalty's
// gradient:
//   Adam: g ← g + λ·w;  AdamW: w ← w·(1 − γλ)
//   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  amsgrad: v̂ ← max(v̂, v), else v̂ = v
//   w ← w − (γ / (1 − β1^t)) · m / (√v̂ / √(1 − β2^t) + ε)
// The bias corrections, β1 (OneCycleLR may cycle it) and AdamW's 1 − γλ come per step from the
// host (f64), in `step`.
// `state` holds m, v, then v̂ with amsgrad, PARAMS floats each.
// Skips the update from the first step of the epoch whose loss was not finite (epoch_status).
// Libraries: step_params, penalty, epoch_status.

override PARAMS: u32;
override BETA2: f32 = 0.999;
// 1 − β2, rounded once on the host.
override ONE_MINUS_BETA2: f32 = 0.001;
override EPS: f32 = 1e-8;
override WEIGHT_DECAY: f32 = 0.0;
// AdamW's decoupled weight decay instead of Adam's L2 term in the gradient.
override DECOUPLED: bool = false;
override AMSGRAD: bool = false;
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
    var w = params[i];
    var g = grads[i] + penalty_gradient(w);
    if (WEIGHT_DECAY != 0.0) {
      if (DECOUPLED) {
        w *= step.decoupled_decay;
      } else {
        g += WEIGHT_DECAY * w;
      }
    }
    let m = step.momentum * state[i] + step.one_minus_beta1 * g;
    let v = BETA2 * state[PARAMS + i] + ONE_MINUS_BETA2 * g * g;
    state[i] = m;
    state[PARAMS + i] = v;
    var v_hat = v;
    if (AMSGRAD) {
      v_hat = max(state[2u * PARAMS + i], v);
      state[2u * PARAMS + i] = v_hat;
    }
    let denom = sqrt(v_hat) / step.adam_bias_correction2_sqrt + EPS;
    params[i] = w - step.adam_step_size * m / denom;
  }
}
