// First pass of clipping by norm (torch.nn.utils.clip_grad_norm_, engine/cpu/grad_clip.ts):
// each of PARTIALS workgroups strides over the flat gradients (the penalty's gradient added,
// as the optimizer kernels would) and leaves Σ |gᵢ|^p (or max |gᵢ|) of its elements in
// partials[workgroup]. grad_scale.wgsl folds the partials into ‖g‖ and scales, in the same pass
// of the same command buffer: the host never reads the norm.
// Libraries: penalty, grad_norm_terms.

override PARAMS: u32;
// Workgroups of this pass, at most WORKGROUP_SIZE so that grad_scale folds them in one step.
override PARTIALS: u32;
override WORKGROUP_SIZE: u32 = 256u;

@group(0) @binding(0) var<storage, read> params: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;

var<workgroup> lane_terms: array<f32, WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  var total = 0.0;
  for (var i = group.x * WORKGROUP_SIZE + lane; i < PARAMS; i += PARTIALS * WORKGROUP_SIZE) {
    total = combine_terms(total, norm_term(grads[i] + penalty_gradient(params[i])));
  }
  lane_terms[lane] = total;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lane < stride) {
      lane_terms[lane] = combine_terms(lane_terms[lane], lane_terms[lane + stride]);
    }
    workgroupBarrier();
  }
  if (lane == 0u) {
    partials[group.x] = lane_terms[0];
  }
}
