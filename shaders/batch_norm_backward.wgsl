// Backward of nn.BatchNorm1d in training mode, from the gradient at its output dY:
// dβ = Σ dY, dγ = Σ dY·x̂, dZ = γ·invStd/N · (N·dY − dβ − x̂·dγ) with x̂ = (Z − μ_B)·invStd
// recomputed from the saved Z and batch statistics. Same workgroup shape as
// batch_norm_forward. Libraries: step_params.

override UNITS: u32;
override GAMMA_OFFSET: u32;
override BETA_OFFSET: u32;
override UNIT_LANES: u32 = 16u;
override ROW_LANES: u32 = 16u;

@group(0) @binding(0) var<storage, read> grad_output: array<f32>;
@group(0) @binding(1) var<storage, read> pre_norm: array<f32>;
@group(0) @binding(2) var<storage, read> batch_stats: array<f32>;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> grads: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad_input: array<f32>;
@group(1) @binding(0) var<uniform> step: StepParams;

// A single override name: see the note in matmul_tile.wgsl.
override PARTIAL_WORDS: u32 = UNIT_LANES * ROW_LANES;
var<workgroup> partial: array<f32, PARTIAL_WORDS>;

fn sum_over_rows(lane: vec2<u32>, value: f32) -> f32 {
  partial[lane.y * UNIT_LANES + lane.x] = value;
  workgroupBarrier();
  var total = 0.0;
  for (var r = 0u; r < ROW_LANES; r++) {
    total += partial[r * UNIT_LANES + lane.x];
  }
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(UNIT_LANES, ROW_LANES)
fn main(
  @builtin(local_invocation_id) lane: vec3<u32>,
  @builtin(workgroup_id) group: vec3<u32>,
) {
  let unit = group.x * UNIT_LANES + lane.x;
  let in_range = unit < UNITS;
  let rows = step.rows;
  var mean = 0.0;
  var inv_std = 0.0;
  var sum_dy = 0.0;
  var sum_dy_xhat = 0.0;
  if (in_range) {
    mean = batch_stats[unit];
    inv_std = batch_stats[UNITS + unit];
    for (var r = lane.y; r < rows; r += ROW_LANES) {
      let dy = grad_output[r * UNITS + unit];
      sum_dy += dy;
      sum_dy_xhat += dy * (pre_norm[r * UNITS + unit] - mean) * inv_std;
    }
  }
  let d_beta = sum_over_rows(lane.xy, sum_dy);
  let d_gamma = sum_over_rows(lane.xy, sum_dy_xhat);
  if (!in_range) {
    return;
  }
  if (lane.y == 0u) {
    grads[GAMMA_OFFSET + unit] = d_gamma;
    grads[BETA_OFFSET + unit] = d_beta;
  }
  let n = f32(rows);
  let scale = params[GAMMA_OFFSET + unit] * inv_std / n;
  for (var r = lane.y; r < rows; r += ROW_LANES) {
    let index = r * UNITS + unit;
    let x_hat = (pre_norm[index] - mean) * inv_std;
    grad_input[index] = scale * (n * grad_output[index] - d_beta - x_hat * d_gamma);
  }
}
