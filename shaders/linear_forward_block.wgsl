// linear_forward for CPU adapters: the same Z = X · Wᵀ + b with the same `hidden` and `linear`
// epilogues (activation, inverted dropout), computed by matmul_block instead of matmul_tile
// (see there why lavapipe wants it). A = X [rows × IN_FEATURES], B = Wᵀ; both read along k,
// which is contiguous in memory for X and for each row of W.
// Libraries: step_params, matmul_block, layer_input_quad, activation, dropout_rng,
// hidden_epilogue.

override OUT_FEATURES: u32;
// Offsets of W and b in the flat parameter buffer.
override WEIGHT_OFFSET: u32;
override BIAS_OFFSET: u32;

// Dataset inputs (u8 packed four to a word, or f32 bits), or the previous layer's activations.
@group(0) @binding(0) var<storage, read> source: array<vec4<u32>>;
// Dataset row of each batch row from step.first; read only when SOURCE is the dataset.
@group(0) @binding(1) var<storage, read> order: array<u32>;
@group(0) @binding(2) var<storage, read> params: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> pre_activation: array<f32>;
@group(0) @binding(4) var<storage, read_write> activation: array<f32>;
@group(1) @binding(0) var<uniform> step: StepParams;

// Rows past the batch repeat its last row (their outputs are not stored).
fn a_handles(row: u32) -> vec4<u32> {
  let last = step.rows - 1u;
  return vec4<u32>(
    input_row_start(min(row, last)),
    input_row_start(min(row + 1u, last)),
    input_row_start(min(row + 2u, last)),
    input_row_start(min(row + 3u, last)),
  );
}

fn block_a(rows: vec4<u32>, k: u32) -> mat4x4<f32> {
  return transpose(mat4x4<f32>(
    input_quad(rows.x, k),
    input_quad(rows.y, k),
    input_quad(rows.z, k),
    input_quad(rows.w, k),
  ));
}

// Where each of W's rows col .. col + 3 starts; columns past OUT_FEATURES repeat the last.
fn b_handles(col: u32) -> vec4<u32> {
  let cols = min(vec4<u32>(col) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(OUT_FEATURES - 1u));
  return WEIGHT_OFFSET + cols * IN_FEATURES;
}

fn block_b(k: u32, cols: vec4<u32>) -> mat4x4<f32> {
  return mat4x4<f32>(
    weight_quad(cols.x + k),
    weight_quad(cols.y + k),
    weight_quad(cols.z + k),
    weight_quad(cols.w + k),
  );
}

// params[index .. index + 4).
fn weight_quad(index: u32) -> vec4<f32> {
  let lo = params[index >> 2u];
  if (WEIGHT_OFFSET % 4u == 0u && IN_FEATURES % 4u == 0u) {
    return lo;
  }
  return quad_at(lo, params[(index >> 2u) + 1u], index & 3u);
}

fn bias(col: u32) -> f32 {
  let index = BIAS_OFFSET + col;
  return params[index >> 2u][index & 3u];
}

@compute @workgroup_size(BLOCK_WG, BLOCK_WG)
fn hidden(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.y * BLOCK;
  let col = id.x * BLOCK;
  if (row >= step.rows || col >= OUT_FEATURES) {
    return;
  }
  let block = matmul_block(row, col, IN_FEATURES);
  // One loop, not two: nested, Mesa unrolls the inner one and the epilogue compiles slowly.
  for (var n = 0u; n < BLOCK * BLOCK; n++) {
    let i = n / BLOCK;
    let j = n % BLOCK;
    if (row + i < step.rows && col + j < OUT_FEATURES) {
      let index = (row + i) * OUT_FEATURES + col + j;
      let z = block_value(block, i, j) + bias(col + j);
      pre_activation[index] = z;
      activation[index] = inverted_dropout(index, activate(ACTIVATION, z));
    }
  }
}

@compute @workgroup_size(BLOCK_WG, BLOCK_WG)
fn linear(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.y * BLOCK;
  let col = id.x * BLOCK;
  if (row >= step.rows || col >= OUT_FEATURES) {
    return;
  }
  let block = matmul_block(row, col, IN_FEATURES);
  // One loop, not two: nested, Mesa unrolls the inner one and the epilogue compiles slowly.
  for (var n = 0u; n < BLOCK * BLOCK; n++) {
    let i = n / BLOCK;
    let j = n % BLOCK;
    if (row + i < step.rows && col + j < OUT_FEATURES) {
      pre_activation[(row + i) * OUT_FEATURES + col + j] = block_value(block, i, j) + bias(col + j);
    }
  }
}
