// Second pass of clipping by norm (torch.nn.utils.clip_grad_norm_, engine/cpu/grad_clip.ts):
//   ‖g‖ from grad_norm.wgsl's partials;  g ← (g + penalty gradient) · min(1, MAX_NORM / (‖g‖ + 1e-6))
// Every workgroup folds the same PARTIALS values in the same order, so all agree on ‖g‖ with no
// third pass. Like torch, it multiplies even when the coefficient is 1. The gradients it leaves
// include the penalty's: the optimizer kernels are then built without it.
// Libraries: penalty, grad_norm_terms.

override PARAMS: u32;
override PARTIALS: u32;
override MAX_NORM: f32;
override WORKGROUP_SIZE: u32 = 256u;

@group(0) @binding(0) var<storage, read> params: array<f32>;
@group(0) @binding(1) var<storage, read_write> grads: array<f32>;
@group(0) @binding(2) var<storage, read> partials: array<f32>;

var<workgroup> lane_terms: array<f32, WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(global_invocation_id) id: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  // Terms are ≥ 0, so 0 is neutral for both + and max.
  lane_terms[lane] = select(0.0, partials[min(lane, PARTIALS - 1u)], lane < PARTIALS);
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lane < stride) {
      lane_terms[lane] = combine_terms(lane_terms[lane], lane_terms[lane + stride]);
    }
    workgroupBarrier();
  }
  let coefficient = min(MAX_NORM / (finish_norm(lane_terms[0]) + 1e-6), 1.0);
  for (var i = id.x; i < PARAMS; i += groups.x * WORKGROUP_SIZE) {
    grads[i] = (grads[i] + penalty_gradient(params[i])) * coefficient;
  }
}
