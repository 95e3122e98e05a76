// Backward of nn.Linear to its parameters, overwriting their gradients (zero_grad + backward):
// dW = dZᵀ · X and db = Σ_rows dZ, as one product of dZᵀ [OUT_FEATURES × rows] with X extended
// by a column of ones [rows × (IN_FEATURES + 1)], whose last column is db. X is re-gathered by
// layer_input (the dataset rows for the first layer), never stored for the first layer.
// Libraries: step_params, matmul_tile, layer_input.

override OUT_FEATURES: u32;
override WEIGHT_OFFSET: u32;
override BIAS_OFFSET: u32;

@group(0) @binding(0) var<storage, read> grad_output: array<f32>;
// Dataset inputs (u8 packed four to a word, or f32 bits), or the previous layer's activations.
@group(0) @binding(1) var<storage, read> source: array<u32>;
// Dataset row of each batch row from step.first; read only when SOURCE is the dataset.
@group(0) @binding(2) var<storage, read> order: array<u32>;
@group(0) @binding(3) var<storage, read_write> grads: array<f32>;
@group(1) @binding(0) var<uniform> step: StepParams;

// dZᵀ: row = output unit, k = batch row.
fn load_a(unit: u32, k: u32) -> f32 {
  if (unit >= OUT_FEATURES || k >= step.rows) {
    return 0.0;
  }
  return grad_output[k * OUT_FEATURES + unit];
}

// [X | 1]: k = batch row.
fn load_b(k: u32, col: u32) -> f32 {
  if (k >= step.rows || col > IN_FEATURES) {
    return 0.0;
  }
  if (col == IN_FEATURES) {
    return 1.0;
  }
  return layer_input(k, col);
}

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn main(
  @builtin(local_invocation_id) lane: vec3<u32>,
  @builtin(local_invocation_index) lane_index: u32,
  @builtin(workgroup_id) group: vec3<u32>,
) {
  let origin = vec2<u32>(group.x * TILE_COLS, group.y * TILE_ROWS);
  let acc = matmul_tile(lane.xy, lane_index, origin, step.rows);
  for (var i = 0u; i < PER_THREAD; i++) {
    let unit = origin.y + lane.y + i * WG_ROWS;
    for (var j = 0u; j < PER_THREAD; j++) {
      let col = origin.x + lane.x + j * WG_COLS;
      if (unit < OUT_FEATURES && col < IN_FEATURES) {
        grads[WEIGHT_OFFSET + unit * IN_FEATURES + col] = acc[i * PER_THREAD + j];
      } else if (unit < OUT_FEATURES && col == IN_FEATURES) {
        grads[BIAS_OFFSET + unit] = acc[i * PER_THREAD + j];
      }
    }
  }
}
