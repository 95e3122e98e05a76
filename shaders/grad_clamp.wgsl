// Clipping by value (torch.nn.utils.clip_grad_value_, engine/cpu/grad_clip.ts):
//   g ← clamp(g + penalty gradient, −CLIP_VALUE, CLIP_VALUE)
// The gradients it leaves include the penalty's (it is part of the loss, so it is clipped too):
// the optimizer kernels are then built without it.
// Libraries: penalty.

override PARAMS: u32;
override CLIP_VALUE: f32;
override WORKGROUP_SIZE: u32 = 256u;

@group(0) @binding(0) var<storage, read> params: array<f32>;
@group(0) @binding(1) var<storage, read_write> grads: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  for (var i = id.x; i < PARAMS; i += groups.x * WORKGROUP_SIZE) {
    grads[i] = clamp(grads[i] + penalty_gradient(params[i]), -CLIP_VALUE, CLIP_VALUE);
  }
}
