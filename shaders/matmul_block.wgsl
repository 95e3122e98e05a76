// The matrix product behind the linear kernels on CPU adapters (lavapipe), where
// matmul_tile's staging through workgroup memory is the slow part: llvmpipe runs a workgroup
// on one CPU thread, 8 invocations per SIMD instruction, and every load whose address differs
// between invocations becomes a loop over the 8 lanes, whether it reads workgroup or storage
// memory. A vec4 load costs about as much as a scalar one, barriers are coroutine switches,
// and the CPU's caches already give the reuse workgroup memory is for. So each invocation
// reads its operands straight from storage as quads (4 consecutive words, one load when
// aligned) and keeps an 8×8 block of the product in four 4×4 matrices: 16 quad loads feed
// 256 multiply-adds, against matmul_tile's 32 loads (staged, then read back) per 256.
// The kernel file defines its operands as 4×4 blocks, m[j][i] being entry (i, j), read
// through handles computed once per invocation (such as where each row starts, so the first
// layer looks its dataset rows up once, not once per quad):
//   fn a_handles(row: u32) -> vec4<u32>                   // for rows row .. row + 3 of A
//   fn block_a(rows: vec4<u32>, k: u32) -> mat4x4<f32>    // A[row + i][k + j]
//   fn b_handles(col: u32) -> vec4<u32>                   // for columns col .. col + 3 of B
//   fn block_b(k: u32, cols: vec4<u32>) -> mat4x4<f32>    // B[k + i][col + j]
// Entries past the matrix's rows or columns may hold anything (their outputs are not
// stored); entries at or past `depth` along k may too: the last partial quad is masked here.

// Rows and columns of the product one invocation computes.
const BLOCK = 8u;
// Invocations along each side of a workgroup: 64, a 64 × 64 tile of the product. No
// workgroup memory or barrier, so any size works; 8 along x keeps one SIMD row of lanes on
// one row of blocks.
const BLOCK_WG = 8u;

// The 8×8 block: [0] rows 0–3 × columns 0–3, [1] rows 0–3 × columns 4–7, [2] rows 4–7 ×
// columns 0–3, [3] rows 4–7 × columns 4–7.
alias ProductBlock = array<mat4x4<f32>, 4>;

// Rows [row, row + 8) × columns [col, col + 8) of A·B over k in [0, depth).
fn matmul_block(row: u32, col: u32, depth: u32) -> ProductBlock {
  var c00 = mat4x4<f32>();
  var c01 = mat4x4<f32>();
  var c10 = mat4x4<f32>();
  var c11 = mat4x4<f32>();
  let rows0 = a_handles(row);
  let rows1 = a_handles(row + 4u);
  let cols0 = b_handles(col);
  let cols1 = b_handles(col + 4u);
  let whole = depth & ~3u;
  for (var k = 0u; k < whole; k += 4u) {
    let a0 = block_a(rows0, k);
    let a1 = block_a(rows1, k);
    let b0 = block_b(k, cols0);
    let b1 = block_b(k, cols1);
    c00 += a0 * b0;
    c01 += a0 * b1;
    c10 += a1 * b0;
    c11 += a1 * b1;
  }
  if (whole < depth) {
    // Both operands masked: what lies past depth need not be finite.
    let keep = vec4<u32>(whole) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(depth);
    let a0 = mask_k_columns(block_a(rows0, whole), keep);
    let a1 = mask_k_columns(block_a(rows1, whole), keep);
    let b0 = mask_k_rows(block_b(whole, cols0), keep);
    let b1 = mask_k_rows(block_b(whole, cols1), keep);
    c00 += a0 * b0;
    c01 += a0 * b1;
    c10 += a1 * b0;
    c11 += a1 * b1;
  }
  return ProductBlock(c00, c01, c10, c11);
}

// Entry (i, j) of the 8×8 block (i, j < 8).
fn block_value(block: ProductBlock, i: u32, j: u32) -> f32 {
  return block[(i / 4u) * 2u + j / 4u][j % 4u][i % 4u];
}

fn mask_k_columns(m: mat4x4<f32>, keep: vec4<bool>) -> mat4x4<f32> {
  let zero = vec4<f32>();
  return mat4x4<f32>(
    select(zero, m[0], keep.x),
    select(zero, m[1], keep.y),
    select(zero, m[2], keep.z),
    select(zero, m[3], keep.w),
  );
}

fn mask_k_rows(m: mat4x4<f32>, keep: vec4<bool>) -> mat4x4<f32> {
  let zero = vec4<f32>();
  return mat4x4<f32>(
    select(zero, m[0], keep),
    select(zero, m[1], keep),
    select(zero, m[2], keep),
    select(zero, m[3], keep),
  );
}

// Elements [offset, offset + 4) of the eight lo ++ hi (offset < 4): a quad that starts
// mid-vec4, from the two aligned vec4 loads around it.
fn quad_at(lo: vec4<f32>, hi: vec4<f32>, offset: u32) -> vec4<f32> {
  let one = vec4<f32>(lo.yzw, hi.x);
  let two = vec4<f32>(lo.zw, hi.xy);
  let three = vec4<f32>(lo.w, hi.xyz);
  return select(select(select(lo, one, offset == 1u), two, offset == 2u), three, offset == 3u);
}
