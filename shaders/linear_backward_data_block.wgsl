// linear_backward_data for CPU adapters: the same dY = (dZ · W) ⊙ dropout mask/(1 − p) ⊙ f′(y),
// computed by matmul_block instead of matmul_tile (see there why lavapipe wants it).
// A = dZ [rows × OUT_FEATURES], read along k (its rows); B = W [OUT_FEATURES × IN_FEATURES],
// read along its rows, four columns at a time for each k.
// Libraries: step_params, matmul_block, activation, dropout_rng, hidden_epilogue.

override IN_FEATURES: u32;
override OUT_FEATURES: u32;
override WEIGHT_OFFSET: u32;
// The previous hidden layer's activation, index and dropout: hidden_epilogue's constants.

@group(0) @binding(0) var<storage, read> grad_output: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> params: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> pre_activation: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_input: array<f32>;
@group(1) @binding(0) var<uniform> step: StepParams;

// Where each of dZ's rows row .. row + 3 starts; rows past the batch repeat its last row.
fn a_handles(row: u32) -> vec4<u32> {
  let rows = min(vec4<u32>(row) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(step.rows - 1u));
  return rows * OUT_FEATURES;
}

fn block_a(rows: vec4<u32>, k: u32) -> mat4x4<f32> {
  return transpose(mat4x4<f32>(
    grad_quad(rows.x + k),
    grad_quad(rows.y + k),
    grad_quad(rows.z + k),
    grad_quad(rows.w + k),
  ));
}

// grad_output[index .. index + 4).
fn grad_quad(index: u32) -> vec4<f32> {
  let lo = grad_output[index >> 2u];
  if (OUT_FEATURES % 4u == 0u) {
    return lo;
  }
  return quad_at(lo, grad_output[(index >> 2u) + 1u], index & 3u);
}

// Columns are W's, contiguous: only the first is needed.
fn b_handles(col: u32) -> vec4<u32> {
  return vec4<u32>(WEIGHT_OFFSET + col);
}

// W[k + i][col .. col + 4): past IN_FEATURES, the next row's (those outputs are not stored).
fn block_b(k: u32, cols: vec4<u32>) -> mat4x4<f32> {
  let start = cols.x + k * IN_FEATURES;
  return transpose(mat4x4<f32>(
    weight_quad(start),
    weight_quad(start + IN_FEATURES),
    weight_quad(start + 2u * IN_FEATURES),
    weight_quad(start + 3u * IN_FEATURES),
  ));
}

// params[index .. index + 4).
fn weight_quad(index: u32) -> vec4<f32> {
  let lo = params[index >> 2u];
  if (WEIGHT_OFFSET % 4u == 0u && IN_FEATURES % 4u == 0u) {
    return lo;
  }
  return quad_at(lo, params[(index >> 2u) + 1u], index & 3u);
}

@compute @workgroup_size(BLOCK_WG, BLOCK_WG)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.y * BLOCK;
  let col = id.x * BLOCK;
  if (row >= step.rows || col >= IN_FEATURES) {
    return;
  }
  let block = matmul_block(row, col, OUT_FEATURES);
  // One loop, not two: nested, Mesa unrolls the inner one and the epilogue compiles slowly.
  for (var n = 0u; n < BLOCK * BLOCK; n++) {
    let i = n / BLOCK;
    let j = n % BLOCK;
    if (row + i < step.rows && col + j < IN_FEATURES) {
      let index = (row + i) * IN_FEATURES + col + j;
      let grad = inverted_dropout(index, block_value(block, i, j));
      grad_input[index] = grad * activate_derivative(ACTIVATION, pre_activation[index]);
    }
  }
}
