// linear_backward_weight for CPU adapters: the same dW = dZᵀ · X and db = Σ_rows dZ, as one
// product of dZᵀ with [X | 1], computed by matmul_block instead of matmul_tile (see there why
// lavapipe wants it). k runs over the batch rows: both operands are read four units or four
// features at a time along their rows, one quad per k.
// Libraries: step_params, matmul_block, layer_input_quad.

override OUT_FEATURES: u32;
override WEIGHT_OFFSET: u32;
override BIAS_OFFSET: u32;

@group(0) @binding(0) var<storage, read> grad_output: array<vec4<f32>>;
// Dataset inputs (u8 packed four to a word, or f32 bits), or the previous layer's activations.
@group(0) @binding(1) var<storage, read> source: array<vec4<u32>>;
// Dataset row of each batch row from step.first; read only when SOURCE is the dataset.
@group(0) @binding(2) var<storage, read> order: array<u32>;
@group(0) @binding(3) var<storage, read_write> grads: array<f32>;
@group(1) @binding(0) var<uniform> step: StepParams;

// Units are dZ's columns, contiguous: only the first is needed.
fn a_handles(unit: u32) -> vec4<u32> {
  return vec4<u32>(unit);
}

// dZᵀ[unit + i][k + j] = dZ[k + j][unit + i]: one quad of units per batch row.
fn block_a(units: vec4<u32>, k: u32) -> mat4x4<f32> {
  return mat4x4<f32>(
    grad_quad(k * OUT_FEATURES + units.x),
    grad_quad((k + 1u) * OUT_FEATURES + units.x),
    grad_quad((k + 2u) * OUT_FEATURES + units.x),
    grad_quad((k + 3u) * OUT_FEATURES + units.x),
  );
}

// grad_output[index .. index + 4); past OUT_FEATURES, the next row's (not stored).
fn grad_quad(index: u32) -> vec4<f32> {
  let lo = grad_output[index >> 2u];
  if (OUT_FEATURES % 4u == 0u) {
    return lo;
  }
  return quad_at(lo, grad_output[(index >> 2u) + 1u], index & 3u);
}

fn b_handles(col: u32) -> vec4<u32> {
  return vec4<u32>(col);
}

// [X | 1][k + i][col .. col + 4): the batch row's features, 1 in column IN_FEATURES (db).
fn block_b(k: u32, cols: vec4<u32>) -> mat4x4<f32> {
  return transpose(mat4x4<f32>(
    extended_quad(k, cols.x),
    extended_quad(k + 1u, cols.x),
    extended_quad(k + 2u, cols.x),
    extended_quad(k + 3u, cols.x),
  ));
}

fn extended_quad(row: u32, col: u32) -> vec4<f32> {
  // Rows past the batch are masked by matmul_block; clamped, they stay in the buffers.
  let x = input_quad(input_row_start(min(row, step.rows - 1u)), col);
  let cols = vec4<u32>(col) + vec4<u32>(0u, 1u, 2u, 3u);
  return select(x, vec4<f32>(1.0), cols == vec4<u32>(IN_FEATURES));
}

@compute @workgroup_size(BLOCK_WG, BLOCK_WG)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let unit = id.y * BLOCK;
  let col = id.x * BLOCK;
  if (unit >= OUT_FEATURES || col > IN_FEATURES) {
    return;
  }
  let block = matmul_block(unit, col, step.rows);
  // One loop, not two: nested, Mesa unrolls the inner one and the epilogue compiles slowly.
  for (var n = 0u; n < BLOCK * BLOCK; n++) {
    let i = n / BLOCK;
    let j = n % BLOCK;
    let value = block_value(block, i, j);
    if (unit + i < OUT_FEATURES && col + j < IN_FEATURES) {
      grads[WEIGHT_OFFSET + (unit + i) * IN_FEATURES + col + j] = value;
    } else if (unit + i < OUT_FEATURES && col + j == IN_FEATURES) {
      grads[BIAS_OFFSET + unit + i] = value;
    }
  }
}
