// Forward of one nn.Linear layer for a batch: Z = X · Wᵀ + b (W is [out, in], PyTorch's layout),
// with X gathered by layer_input. Two entry points:
// - `hidden`: a hidden layer without batch norm; also applies the activation and inverted
//   dropout (mask from dropout_rng, kept when hashUniform ≥ p, scaled by 1/(1 − p)) and writes
//   the layer's output A next to Z, which the backward pass differentiates at.
// - `linear`: Z only, for the output layer's logits and for layers that batch_norm_forward
//   normalises next.
// With SPLIT_K > 1 both write partial products, and `reduce_hidden` / `reduce_linear` finish.
// Libraries: step_params, matmul_tile, layer_input, activation, dropout_rng, hidden_epilogue.

override OUT_FEATURES: u32;
// Offsets of W and b in the flat parameter buffer.
override WEIGHT_OFFSET: u32;
override BIAS_OFFSET: u32;

// Dataset inputs (u8 packed four to a word, or f32 bits), or the previous layer's activations.
@group(0) @binding(0) var<storage, read> source: array<u32>;
// Dataset row of each batch row from step.first; read only when SOURCE is the dataset.
@group(0) @binding(1) var<storage, read> order: array<u32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> pre_activation: array<f32>;
// Split-K shares of the product (matmul_tile.wgsl); unused when SPLIT_K is 1.
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;
@group(0) @binding(5) var<storage, read_write> activation: array<f32>;
@group(1) @binding(0) var<uniform> step: StepParams;

fn load_a(row: u32, k: u32) -> f32 {
  if (row >= step.rows || k >= IN_FEATURES) {
    return 0.0;
  }
  return layer_input(row, k);
}

fn load_b(k: u32, col: u32) -> f32 {
  if (col >= OUT_FEATURES || k >= IN_FEATURES) {
    return 0.0;
  }
  return params[WEIGHT_OFFSET + col * IN_FEATURES + k];
}

// Output element (row, col) of `hidden` from its product `sum`: bias, activation, dropout.
fn finish_hidden(row: u32, col: u32, sum: f32) {
  let index = row * OUT_FEATURES + col;
  let z = sum + params[BIAS_OFFSET + col];
  pre_activation[index] = z;
  activation[index] = inverted_dropout(index, activate(ACTIVATION, z));
}

fn finish_linear(row: u32, col: u32, sum: f32) {
  pre_activation[row * OUT_FEATURES + col] = sum + params[BIAS_OFFSET + col];
}

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn hidden(
  @builtin(local_invocation_id) lane: vec3<u32>,
  @builtin(local_invocation_index) lane_index: u32,
  @builtin(workgroup_id) group: vec3<u32>,
) {
  let origin = vec2<u32>(group.x * TILE_COLS, group.y * TILE_ROWS);
  let acc = matmul_tile(lane.xy, lane_index, origin, split_range(IN_FEATURES, group.z));
  if (SPLIT_K > 1u) {
    store_partial(lane.xy, origin, group.z, step.rows, acc);
    return;
  }
  for (var i = 0u; i < PER_THREAD; i++) {
    let row = origin.y + lane.y + i * WG_ROWS;
    for (var j = 0u; j < PER_THREAD; j++) {
      let col = origin.x + lane.x + j * WG_COLS;
      if (row < step.rows && col < OUT_FEATURES) {
        finish_hidden(row, col, acc[i * PER_THREAD + j]);
      }
    }
  }
}

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn linear(
  @builtin(local_invocation_id) lane: vec3<u32>,
  @builtin(local_invocation_index) lane_index: u32,
  @builtin(workgroup_id) group: vec3<u32>,
) {
  let origin = vec2<u32>(group.x * TILE_COLS, group.y * TILE_ROWS);
  let acc = matmul_tile(lane.xy, lane_index, origin, split_range(IN_FEATURES, group.z));
  if (SPLIT_K > 1u) {
    store_partial(lane.xy, origin, group.z, step.rows, acc);
    return;
  }
  for (var i = 0u; i < PER_THREAD; i++) {
    let row = origin.y + lane.y + i * WG_ROWS;
    for (var j = 0u; j < PER_THREAD; j++) {
      let col = origin.x + lane.x + j * WG_COLS;
      if (row < step.rows && col < OUT_FEATURES) {
        finish_linear(row, col, acc[i * PER_THREAD + j]);
      }
    }
  }
}

// Split-K: sums the shares of each element and finishes it, one thread per element.
@compute @workgroup_size(256)
fn reduce_hidden(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < step.rows * OUT_FEATURES) {
    let row = id.x / OUT_FEATURES;
    let col = id.x % OUT_FEATURES;
    finish_hidden(row, col, partial_sum(row, col));
  }
}

@compute @workgroup_size(256)
fn reduce_linear(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < step.rows * OUT_FEATURES) {
    let row = id.x / OUT_FEATURES;
    let col = id.x % OUT_FEATURES;
    finish_linear(row, col, partial_sum(row, col));
  }
}
