// torch.optim.SGD (https://pytorch.org/docs/stable/generated/torch.optim.SGD.html) over the flat
// parameter buffer, with the explicit L1/L2 penalty's gradient l1·sign(w) + 2·l2·w added to the
// loss gradient first (engine/cpu/penalties.ts):
//   g ← g + λ·w;  b ← g on the first step, else μ·b + (1 − τ)·g;  g ← g + μ·b (Nesterov) or b;
//   w ← w − γ·g
// γ and μ come per step (`step.lr`, `step.momentum`): a scheduler may change them.
// Skips the update from the first step of the epoch whose loss was not finite (epoch_status).
// Libraries: step_params, penalty, epoch_status.

override PARAMS: u32;
// Whether any step may use momentum (the buffer is bound); a step with μ = 0 skips it, as torch.
override USES_MOMENTUM: bool = false;
// 1 − τ for dampening τ, rounded once on the host.
override ONE_MINUS_DAMPENING: f32 = 1.0;
override WEIGHT_DECAY: f32 = 0.0;
override NESTEROV: bool = false;
override WORKGROUP_SIZE: u32 = 256u;

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
// The momentum buffer b.
@group(0) @binding(2) var<storage, read_write> momentum_buffer: array<f32>;
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
    if (USES_MOMENTUM && step.momentum != 0.0) {
      var b = g;
      if (step.momentum_fresh == 0u) {
        b = step.momentum * momentum_buffer[i] + ONE_MINUS_DAMPENING * g;
      }
      momentum_buffer[i] = b;
      g = select(b, g + step.momentum * b, NESTEROV);
    }
    params[i] = w - step.lr * g;
  }
}
