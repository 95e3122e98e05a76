// Backward of nn.Linear to its input, through the previous hidden layer's dropout and
// activation: dA = dZ · W (dZ [rows × OUT_FEATURES], W [OUT_FEATURES × IN_FEATURES]), then
// dY = dA ⊙ mask/(1 − p) ⊙ f′(y) at that layer's saved pre-activation y. The result is the
// gradient at y: the previous layer's dZ, or batch_norm_backward's input when it normalises.
// Libraries: step_params, matmul_tile, activation, dropout_rng, hidden_epilogue.

override IN_FEATURES: u32;
override OUT_FEATURES: u32;
override WEIGHT_OFFSET: u32;
// The previous hidden layer's activation, index and dropout: hidden_epilogue's constants.

@group(0) @binding(0) var<storage, read> grad_output: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> pre_activation: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_input: array<f32>;
// Split-K shares of the product (matmul_tile.wgsl); unused when SPLIT_K is 1.
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;
@group(1) @binding(0) var<uniform> step: StepParams;

fn load_a(row: u32, k: u32) -> f32 {
  if (row >= step.rows || k >= OUT_FEATURES) {
    return 0.0;
  }
  return grad_output[row * OUT_FEATURES + k];
}

fn load_b(k: u32, col: u32) -> f32 {
  if (col >= IN_FEATURES || k >= OUT_FEATURES) {
    return 0.0;
  }
  return params[WEIGHT_OFFSET + k * IN_FEATURES + col];
}

// Element (row, col) of the gradient from its product `sum`: dropout mask, then f′.
fn finish(row: u32, col: u32, sum: f32) {
  let index = row * IN_FEATURES + col;
  let grad = inverted_dropout(index, sum);
  grad_input[index] = grad * activate_derivative(ACTIVATION, pre_activation[index]);
}

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn main(
  @builtin(local_invocation_id) lane: vec3<u32>,
  @builtin(local_invocation_index) lane_index: u32,
  @builtin(workgroup_id) group: vec3<u32>,
) {
  let origin = vec2<u32>(group.x * TILE_COLS, group.y * TILE_ROWS);
  let acc = matmul_tile(lane.xy, lane_index, origin, split_range(OUT_FEATURES, group.z));
  if (SPLIT_K > 1u) {
    store_partial(lane.xy, origin, group.z, step.rows, acc);
    return;
  }
  for (var i = 0u; i < PER_THREAD; i++) {
    let row = origin.y + lane.y + i * WG_ROWS;
    for (var j = 0u; j < PER_THREAD; j++) {
      let col = origin.x + lane.x + j * WG_COLS;
      if (row < step.rows && col < IN_FEATURES) {
        finish(row, col, acc[i * PER_THREAD + j]);
      }
    }
  }
}

// Split-K: sums the shares of each element and finishes it, one thread per element.
@compute @workgroup_size(256)
fn reduce(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < step.rows * IN_FEATURES) {
    let row = id.x / IN_FEATURES;
    let col = id.x % IN_FEATURES;
    finish(row, col, partial_sum(row, col));
  }
}
