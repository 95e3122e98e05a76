// The register-tiled matrix product shared by the linear kernels (linear_forward,
// linear_backward_data, linear_backward_weight). The kernel file defines its operands,
//   fn load_a(row: u32, k: u32) -> f32   // left operand, 0 outside the matrix
//   fn load_b(k: u32, col: u32) -> f32   // right operand, 0 outside the matrix
// its epilogue, and `partials`, a read_write array<f32> binding for split-K (below). A workgroup
// of WG_ROWS × WG_COLS threads computes a (4·WG_ROWS) × (4·WG_COLS) tile of the product; thread
// (y, x) owns rows y + i·WG_ROWS and columns x + j·WG_COLS for i, j < 4, so neighbouring threads
// read neighbouring shared-memory words and write neighbouring output columns. The 4×4 block is
// fixed and held in four vec4 accumulators: arrays indexed by loop counters end up in memory on
// some compilers (3–4× slower under lavapipe).

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

// Slab words each thread stages per operand. Up to 16 (PREFETCH), the thread fetches the next
// slab into registers while the workgroup multiplies the current one, so the loads' latency
// overlaps arithmetic instead of adding up load after load (small batches run few workgroups,
// with nothing else to hide it); wider slabs load in a loop, one slab at a time.
override LOADS_A: u32 = (TILE_A_WORDS + WG_ROWS * WG_COLS - 1u) / (WG_ROWS * WG_COLS);
override LOADS_B: u32 = (TILE_B_WORDS + WG_ROWS * WG_COLS - 1u) / (WG_ROWS * WG_COLS);
override PREFETCH: bool = LOADS_A <= 16u && LOADS_B <= 16u;

// Split-K: with SPLIT_K > 1 the grid's z picks one of SPLIT_K shares of the depth, and each
// workgroup writes its partial product to `partials` ([SPLIT_K][rows][PARTIAL_COLS], shares
// PARTIAL_STRIDE words apart) for the kernel's reduce entry point to sum and finish. A product
// with few output tiles (a batch of 128 against 512 units) otherwise runs its whole depth, one
// slab after another, on a handful of multiprocessors.
override SPLIT_K: u32 = 1u;
override PARTIAL_COLS: u32 = 1u;
override PARTIAL_STRIDE: u32 = 0u;

// Where the cooperative loads put slab word `i` of each operand: (row, k) of A, (col, k) of B,
// in the order that keeps each warp's global reads contiguous.
fn slot_a(i: u32) -> vec2<u32> {
  if (A_K_CONTIGUOUS) {
    return vec2<u32>(i / TILE_K, i % TILE_K);
  }
  return vec2<u32>(i % TILE_ROWS, i / TILE_ROWS);
}

fn slot_b(i: u32) -> vec2<u32> {
  if (B_K_CONTIGUOUS) {
    return vec2<u32>(i / TILE_K, i % TILE_K);
  }
  return vec2<u32>(i % TILE_COLS, i / TILE_COLS);
}

// Slab word `i` of A or B at depth k0, 0 past the slab.
fn fetch_a(i: u32, origin: vec2<u32>, k0: u32) -> f32 {
  if (i >= TILE_A_WORDS) {
    return 0.0;
  }
  let at = slot_a(i);
  return load_a(origin.y + at.x, k0 + at.y);
}

fn fetch_b(i: u32, origin: vec2<u32>, k0: u32) -> f32 {
  if (i >= TILE_B_WORDS) {
    return 0.0;
  }
  let at = slot_b(i);
  return load_b(k0 + at.y, origin.x + at.x);
}

fn put_a(i: u32, value: f32) {
  if (i < TILE_A_WORDS) {
    let at = slot_a(i);
    tile_a[at.y * TILE_ROWS + at.x] = value;
  }
}

fn put_b(i: u32, value: f32) {
  if (i < TILE_B_WORDS) {
    let at = slot_b(i);
    tile_b[at.y * TILE_COLS + at.x] = value;
  }
}

// Four slab words of an operand, `THREADS` apart from `i`.
fn fetch4_a(i: u32, origin: vec2<u32>, k0: u32) -> vec4<f32> {
  let t = WG_ROWS * WG_COLS;
  return vec4<f32>(
    fetch_a(i, origin, k0),
    fetch_a(i + t, origin, k0),
    fetch_a(i + 2u * t, origin, k0),
    fetch_a(i + 3u * t, origin, k0),
  );
}

fn fetch4_b(i: u32, origin: vec2<u32>, k0: u32) -> vec4<f32> {
  let t = WG_ROWS * WG_COLS;
  return vec4<f32>(
    fetch_b(i, origin, k0),
    fetch_b(i + t, origin, k0),
    fetch_b(i + 2u * t, origin, k0),
    fetch_b(i + 3u * t, origin, k0),
  );
}

fn put4_a(i: u32, v: vec4<f32>) {
  let t = WG_ROWS * WG_COLS;
  put_a(i, v.x);
  put_a(i + t, v.y);
  put_a(i + 2u * t, v.z);
  put_a(i + 3u * t, v.w);
}

fn put4_b(i: u32, v: vec4<f32>) {
  let t = WG_ROWS * WG_COLS;
  put_b(i, v.x);
  put_b(i + t, v.y);
  put_b(i + 2u * t, v.z);
  put_b(i + 3u * t, v.w);
}

// The slab words one thread stages: a0..a3 hold A's words lane_index + n·THREADS for
// n = 0..15 in fours, b0..b3 B's (the unused ones stay 0).
struct Slab {
  a0: vec4<f32>,
  a1: vec4<f32>,
  a2: vec4<f32>,
  a3: vec4<f32>,
  b0: vec4<f32>,
  b1: vec4<f32>,
  b2: vec4<f32>,
  b3: vec4<f32>,
}

fn fetch_slab(lane_index: u32, origin: vec2<u32>, k0: u32) -> Slab {
  let t4 = 4u * WG_ROWS * WG_COLS;
  var slab: Slab;
  slab.a0 = fetch4_a(lane_index, origin, k0);
  slab.b0 = fetch4_b(lane_index, origin, k0);
  if (LOADS_A > 4u) {
    slab.a1 = fetch4_a(lane_index + t4, origin, k0);
  }
  if (LOADS_B > 4u) {
    slab.b1 = fetch4_b(lane_index + t4, origin, k0);
  }
  if (LOADS_A > 8u) {
    slab.a2 = fetch4_a(lane_index + 2u * t4, origin, k0);
    slab.a3 = fetch4_a(lane_index + 3u * t4, origin, k0);
  }
  if (LOADS_B > 8u) {
    slab.b2 = fetch4_b(lane_index + 2u * t4, origin, k0);
    slab.b3 = fetch4_b(lane_index + 3u * t4, origin, k0);
  }
  return slab;
}

fn put_slab(lane_index: u32, slab: Slab) {
  let t4 = 4u * WG_ROWS * WG_COLS;
  put4_a(lane_index, slab.a0);
  put4_b(lane_index, slab.b0);
  if (LOADS_A > 4u) {
    put4_a(lane_index + t4, slab.a1);
  }
  if (LOADS_B > 4u) {
    put4_b(lane_index + t4, slab.b1);
  }
  if (LOADS_A > 8u) {
    put4_a(lane_index + 2u * t4, slab.a2);
    put4_a(lane_index + 3u * t4, slab.a3);
  }
  if (LOADS_B > 8u) {
    put4_b(lane_index + 2u * t4, slab.b2);
    put4_b(lane_index + 3u * t4, slab.b3);
  }
}

// Depth range [x, y) of share `split` of `depth`, in whole slabs (empty past the end).
fn split_range(depth: u32, split: u32) -> vec2<u32> {
  let slabs = (depth + TILE_K - 1u) / TILE_K;
  let per = (slabs + SPLIT_K - 1u) / SPLIT_K;
  let begin = min(split * per * TILE_K, depth);
  return vec2<u32>(begin, min(begin + per * TILE_K, depth));
}

// Writes the thread's block of a partial product (rows below `rows`) for share `split`.
fn store_partial(
  lane: vec2<u32>,
  origin: vec2<u32>,
  split: u32,
  rows: u32,
  acc: array<f32, 16>,
) {
  for (var i = 0u; i < PER_THREAD; i++) {
    let row = origin.y + lane.y + i * WG_ROWS;
    for (var j = 0u; j < PER_THREAD; j++) {
      let col = origin.x + lane.x + j * WG_COLS;
      if (row < rows && col < PARTIAL_COLS) {
        partials[split * PARTIAL_STRIDE + row * PARTIAL_COLS + col] = acc[i * PER_THREAD + j];
      }
    }
  }
}

// Σ over the shares of element (row, col), in share order.
fn partial_sum(row: u32, col: u32) -> f32 {
  var sum = 0.0;
  for (var split = 0u; split < SPLIT_K; split++) {
    sum += partials[split * PARTIAL_STRIDE + row * PARTIAL_COLS + col];
  }
  return sum;
}

// The thread's block of the product of rows [origin.y, origin.y + TILE_ROWS) of A with columns
// [origin.x, origin.x + TILE_COLS) of B over k in [range.x, range.y) (range.x a multiple of
// TILE_K). acc[i · PER_THREAD + j] holds row origin.y + lane.y + i·WG_ROWS, column
// origin.x + lane.x + j·WG_COLS. Must be called from uniform control flow (it synchronises the
// workgroup).
fn matmul_tile(
  lane: vec2<u32>,
  lane_index: u32,
  origin: vec2<u32>,
  range: vec2<u32>,
) -> array<f32, 16> {
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  let threads = WG_ROWS * WG_COLS;
  // The next slab's words, fetched while the current one is multiplied (PREFETCH).
  var next: Slab;
  if (PREFETCH && range.x < range.y) {
    next = fetch_slab(lane_index, origin, range.x);
  }
  for (var k0 = range.x; k0 < range.y; k0 += TILE_K) {
    if (PREFETCH) {
      put_slab(lane_index, next);
    } else {
      for (var i = lane_index; i < TILE_A_WORDS; i += threads) {
        put_a(i, fetch_a(i, origin, k0));
      }
      for (var i = lane_index; i < TILE_B_WORDS; i += threads) {
        put_b(i, fetch_b(i, origin, k0));
      }
    }
    workgroupBarrier();
    let k1 = k0 + TILE_K;
    if (PREFETCH && k1 < range.y) {
      next = fetch_slab(lane_index, origin, k1);
    }
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
