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
// Split-K shares of the product (matmul_tile.wgsl); unused when SPLIT_K is 1.
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;
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

// Gradient (unit, col) from its product `sum`: dW's column `col`, or db at col = IN_FEATURES.
fn finish(unit: u32, col: u32, sum: f32) {
  if (col < IN_FEATURES) {
    grads[WEIGHT_OFFSET + unit * IN_FEATURES + col] = sum;
  } else {
    grads[BIAS_OFFSET + unit] = sum;
  }
}

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn main(
  @builtin(local_invocation_id) lane: vec3<u32>,
  @builtin(local_invocation_index) lane_index: u32,
  @builtin(workgroup_id) group: vec3<u32>,
) {
  let origin = vec2<u32>(group.x * TILE_COLS, group.y * TILE_ROWS);
  let acc = matmul_tile(lane.xy, lane_index, origin, split_range(step.rows, group.z));
  if (SPLIT_K > 1u) {
    store_partial(lane.xy, origin, group.z, OUT_FEATURES, acc);
    return;
  }
  for (var i = 0u; i < PER_THREAD; i++) {
    let unit = origin.y + lane.y + i * WG_ROWS;
    for (var j = 0u; j < PER_THREAD; j++) {
      let col = origin.x + lane.x + j * WG_COLS;
      if (unit < OUT_FEATURES && col <= IN_FEATURES) {
        finish(unit, col, acc[i * PER_THREAD + j]);
      }
    }
  }
}

// Split-K: sums the shares of each gradient and stores it, one thread per gradient.
@compute @workgroup_size(256)
fn reduce(@builtin(global_invocation_id) id: vec3<u32>) {
  let cols = IN_FEATURES + 1u;
  if (id.x < OUT_FEATURES * cols) {
    let unit = id.x / cols;
    let col = id.x % cols;
    finish(unit, col, partial_sum(unit, col));
  }
}
