// The register-tiled matrix product shared by the linear kernels (linear_forward,
// linear_backward_data, linear_backward_weight). The kernel file defines its operands,
//   fn load_a(row: u32, k: u32) -> f32   // left operand, 0 outside the matrix
//   fn load_b(k: u32, col: u32) -> f32   // right operand, 0 outside the matrix
// and its epilogue. A workgroup of WG_ROWS × WG_COLS threads computes a (4·WG_ROWS) × (4·WG_COLS)
// tile of the product; thread (y, x) owns rows y + i·WG_ROWS and columns x + j·WG_COLS for
// i, j < 4, so neighbouring threads read neighbouring shared-memory words and write neighbouring
// output columns. The 4×4 block is fixed and held in four vec4 accumulators: arrays indexed by
// loop counters end up in memory on some compilers (3–4× slower under lavapipe).

override WG_ROWS: u32 = 16u;
override WG_COLS: u32 = 16u;
override TILE_K: u32 = 16u;
// Whether consecutive k of an operand are adjacent in memory: picks the cooperative load order
// that keeps each warp's global reads contiguous.
override A_K_CONTIGUOUS: bool = true;
override B_K_CONTIGUOUS: bool = true;

// Rows and columns of the block each thread owns.
const PER_THREAD = 4u;

override TILE_ROWS: u32 = WG_ROWS * PER_THREAD;
override TILE_COLS: u32 = WG_COLS * PER_THREAD;

// Workgroup array sizes are single override names: naga 29 (Deno 2.9.6) panics on an array
// sized by an override expression when the module declares more overrides after it.
override TILE_A_WORDS: u32 = TILE_K * TILE_ROWS;
override TILE_B_WORDS: u32 = TILE_K * TILE_COLS;

// [k][row] and [k][col], so the inner product loop reads both with unit stride across threads.
var<workgroup> tile_a: array<f32, TILE_A_WORDS>;
var<workgroup> tile_b: array<f32, TILE_B_WORDS>;

// The thread's block of the product of rows [origin.y, origin.y + TILE_ROWS) of A with columns
// [origin.x, origin.x + TILE_COLS) of B over k in [0, depth). acc[i · PER_THREAD + j] holds
// row origin.y + lane.y + i·WG_ROWS, column origin.x + lane.x + j·WG_COLS.
// Must be called from uniform control flow (it synchronises the workgroup).
fn matmul_tile(
  lane: vec2<u32>,
  lane_index: u32,
  origin: vec2<u32>,
  depth: u32,
) -> array<f32, 16> {
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  let threads = WG_ROWS * WG_COLS;
  for (var k0 = 0u; k0 < depth; k0 += TILE_K) {
    for (var i = lane_index; i < TILE_K * TILE_ROWS; i += threads) {
      var row: u32;
      var k: u32;
      if (A_K_CONTIGUOUS) {
        row = i / TILE_K;
        k = i % TILE_K;
      } else {
        k = i / TILE_ROWS;
        row = i % TILE_ROWS;
      }
      tile_a[k * TILE_ROWS + row] = load_a(origin.y + row, k0 + k);
    }
    for (var i = lane_index; i < TILE_K * TILE_COLS; i += threads) {
      var col: u32;
      var k: u32;
      if (B_K_CONTIGUOUS) {
        col = i / TILE_K;
        k = i % TILE_K;
      } else {
        k = i / TILE_COLS;
        col = i % TILE_COLS;
      }
      tile_b[k * TILE_COLS + col] = load_b(k0 + k, origin.x + col);
    }
    workgroupBarrier();
    for (var k = 0u; k < TILE_K; k++) {
      let a_base = k * TILE_ROWS + lane.y;
      let b_base = k * TILE_COLS + lane.x;
      let a = vec4<f32>(
        tile_a[a_base],
        tile_a[a_base + WG_ROWS],
        tile_a[a_base + 2u * WG_ROWS],
        tile_a[a_base + 3u * WG_ROWS],
      );
      let b = vec4<f32>(
        tile_b[b_base],
        tile_b[b_base + WG_COLS],
        tile_b[b_base + 2u * WG_COLS],
        tile_b[b_base + 3u * WG_COLS],
      );
      acc0 = fma(vec4<f32>(a.x), b, acc0);
      acc1 = fma(vec4<f32>(a.y), b, acc1);
      acc2 = fma(vec4<f32>(a.z), b, acc2);
      acc3 = fma(vec4<f32>(a.w), b, acc3);
    }
    workgroupBarrier();
  }
  return array<f32, 16>(
    acc0.x, acc0.y, acc0.z, acc0.w,
    acc1.x, acc1.y, acc1.z, acc1.w,
    acc2.x, acc2.y, acc2.z, acc2.w,
    acc3.x, acc3.y, acc3.z, acc3.w,
  );
}
