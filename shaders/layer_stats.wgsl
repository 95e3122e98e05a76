// Raw sums of one hidden layer's statistics (engine/layer_stats.ts says what they mean; the CPU
// twin is engine/cpu/layer_stats.ts, in f64); the host finishes them (square roots, ratios,
// shares). Reductions go through workgroup memory and, across workgroups, through `partials`
// folded in a fixed order, so the sums are the same bits every time.
// - `gradient_sums`, inside the epoch's last step right after the backward pass (before the
//   penalty's gradient and clipping touch `grads`): each of GROUPS workgroups leaves Σ g² of its
//   share of the weight gradient in `partials`.
// - `weight_sums`, at the epoch's end: each of GROUPS workgroups leaves Σ w², Σ w_start² and
//   Σ (w − w_start)² of its share in `partials` and adds its histogram to `stats` (atomically:
//   counts add up the same in any order; the host clears `stats` first).
// - `main`, one workgroup, after the probe batch's evaluation-mode forward and `weight_sums`:
//   mean and Σ (x − mean)² (two passes) of the pre-activations and activations, dead units,
//   saturated values, and the partials folded.
// Each writes its own words of the layer's slot in `stats` (LAYER_STATS_WORDS of the host).

// The layer: [UNITS × FAN_IN] weights at WEIGHT_OFFSET of `params` and `grads`, START_OFFSET of
// `start`; probe values [ROWS × UNITS]; its slot (the hidden layer's index) in `stats`.
override UNITS: u32;
override FAN_IN: u32;
override ROWS: u32;
override WEIGHT_OFFSET: u32;
override START_OFFSET: u32;
override SLOT: u32;
// Workgroups of `gradient_sums` and `weight_sums` (at most WORKGROUP_SIZE), and where this
// layer's partials start: 3 × GROUPS weight sums, then GROUPS gradient sums.
override GROUPS: u32;
override PARTIALS_OFFSET: u32;
// Whether units never positive before the activation are counted (the ReLU family, GELU).
override COUNT_DEAD: bool = false;
// |x| past which a pre-activation is saturated (sigmoid 4, tanh 2); 0: not counted.
override SATURATION: f32 = 0.0;
// R of the histogram's bins over [−R, R].
override HISTOGRAM_LIMIT: f32;
override WORKGROUP_SIZE: u32 = 256u;

const BINS: u32 = 32u;
const STATS_WORDS: u32 = 42u;
// Word offsets within a slot: f32 sums as bits, then u32 counts.
const PRE_MEAN: u32 = 0u;
const DEAD_UNITS: u32 = 4u;
const SATURATED_VALUES: u32 = 5u;
const WEIGHT_SQUARES: u32 = 6u;
const GRADIENT_SQUARES: u32 = 7u;
const START_SQUARES: u32 = 8u;
const UPDATE_SQUARES: u32 = 9u;
const HISTOGRAM: u32 = 10u;

@group(0) @binding(0) var<storage, read> grads: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<f32>;
// The hidden layers' weights at the epoch's start, packed layer after layer.
@group(0) @binding(2) var<storage, read> start: array<f32>;
// The activation's input (batch norm's output when on) and output of the probe batch.
@group(0) @binding(3) var<storage, read> pre_activation: array<f32>;
@group(0) @binding(4) var<storage, read> activation: array<f32>;
@group(0) @binding(5) var<storage, read_write> partials: array<f32>;
@group(0) @binding(6) var<storage, read_write> stats: array<atomic<u32>>;

var<workgroup> lane_sums: array<f32, WORKGROUP_SIZE>;
var<workgroup> lane_counts: array<u32, WORKGROUP_SIZE>;
var<workgroup> histogram: array<atomic<u32>, BINS>;

// Σ over the workgroup of each lane's `value`, returned to every lane; uniform control flow only.
fn workgroup_sum(lane: u32, value: f32) -> f32 {
  lane_sums[lane] = value;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lane < stride) {
      lane_sums[lane] += lane_sums[lane + stride];
    }
    workgroupBarrier();
  }
  let total = lane_sums[0];
  workgroupBarrier();
  return total;
}

fn workgroup_count(lane: u32, value: u32) -> u32 {
  lane_counts[lane] = value;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lane < stride) {
      lane_counts[lane] += lane_counts[lane + stride];
    }
    workgroupBarrier();
  }
  let total = lane_counts[0];
  workgroupBarrier();
  return total;
}

// Probe value `i` of the pre-activations (which 0) or activations (which 1).
fn probe_value(which: u32, i: u32) -> f32 {
  if (which == 0u) {
    return pre_activation[i];
  }
  return activation[i];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gradient_sums(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  var squares = 0.0;
  for (var i = group.x * WORKGROUP_SIZE + lane; i < UNITS * FAN_IN; i += GROUPS * WORKGROUP_SIZE) {
    let g = grads[WEIGHT_OFFSET + i];
    squares += g * g;
  }
  let total = workgroup_sum(lane, squares);
  if (lane == 0u) {
    partials[PARTIALS_OFFSET + 3u * GROUPS + group.x] = total;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn weight_sums(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(local_invocation_index) lane: u32,
) {
  for (var bin = lane; bin < BINS; bin += WORKGROUP_SIZE) {
    atomicStore(&histogram[bin], 0u);
  }
  workgroupBarrier();
  let bins_per_unit = f32(BINS) / (2.0 * HISTOGRAM_LIMIT);
  var weight_squares = 0.0;
  var start_squares = 0.0;
  var update_squares = 0.0;
  for (var i = group.x * WORKGROUP_SIZE + lane; i < UNITS * FAN_IN; i += GROUPS * WORKGROUP_SIZE) {
    let w = params[WEIGHT_OFFSET + i];
    let w0 = start[START_OFFSET + i];
    weight_squares += w * w;
    start_squares += w0 * w0;
    update_squares += (w - w0) * (w - w0);
    // Values outside [−R, R] count in the end bins.
    let bin = clamp(floor((w + HISTOGRAM_LIMIT) * bins_per_unit), 0.0, f32(BINS - 1u));
    atomicAdd(&histogram[u32(bin)], 1u);
  }
  let at = PARTIALS_OFFSET + 3u * group.x;
  let weight_total = workgroup_sum(lane, weight_squares);
  let start_total = workgroup_sum(lane, start_squares);
  let update_total = workgroup_sum(lane, update_squares);
  if (lane == 0u) {
    partials[at] = weight_total;
    partials[at + 1u] = start_total;
    partials[at + 2u] = update_total;
  }
  // workgroup_sum's barriers have seen every atomicAdd to `histogram` finish.
  for (var bin = lane; bin < BINS; bin += WORKGROUP_SIZE) {
    let count = atomicLoad(&histogram[bin]);
    if (count > 0u) {
      atomicAdd(&stats[SLOT * STATS_WORDS + HISTOGRAM + bin], count);
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(local_invocation_index) lane: u32) {
  let slot = SLOT * STATS_WORDS;
  let values = ROWS * UNITS;
  for (var which = 0u; which < 2u; which++) {
    var sum = 0.0;
    for (var i = lane; i < values; i += WORKGROUP_SIZE) {
      sum += probe_value(which, i);
    }
    let mean = workgroup_sum(lane, sum) / f32(values);
    var squares = 0.0;
    for (var i = lane; i < values; i += WORKGROUP_SIZE) {
      let centred = probe_value(which, i) - mean;
      squares += centred * centred;
    }
    let total = workgroup_sum(lane, squares);
    if (lane == 0u) {
      atomicStore(&stats[slot + PRE_MEAN + 2u * which], bitcast<u32>(mean));
      atomicStore(&stats[slot + PRE_MEAN + 2u * which + 1u], bitcast<u32>(total));
    }
  }

  // A lane owns units lane, lane + WORKGROUP_SIZE, …, and looks down their column.
  var dead = 0u;
  if (COUNT_DEAD) {
    for (var unit = lane; unit < UNITS; unit += WORKGROUP_SIZE) {
      var alive = false;
      for (var row = 0u; row < ROWS && !alive; row++) {
        alive = pre_activation[row * UNITS + unit] > 0.0;
      }
      dead += select(1u, 0u, alive);
    }
  }
  var saturated = 0u;
  if (SATURATION > 0.0) {
    for (var i = lane; i < values; i += WORKGROUP_SIZE) {
      saturated += select(0u, 1u, abs(pre_activation[i]) > SATURATION);
    }
  }
  let dead_units = workgroup_count(lane, dead);
  let saturated_values = workgroup_count(lane, saturated);

  // The other workgroups' partials, in a fixed order.
  var weight_squares = 0.0;
  var start_squares = 0.0;
  var update_squares = 0.0;
  var gradient_squares = 0.0;
  for (var group = lane; group < GROUPS; group += WORKGROUP_SIZE) {
    let at = PARTIALS_OFFSET + 3u * group;
    weight_squares += partials[at];
    start_squares += partials[at + 1u];
    update_squares += partials[at + 2u];
    gradient_squares += partials[PARTIALS_OFFSET + 3u * GROUPS + group];
  }
  let weight_total = workgroup_sum(lane, weight_squares);
  let start_total = workgroup_sum(lane, start_squares);
  let update_total = workgroup_sum(lane, update_squares);
  let gradient_total = workgroup_sum(lane, gradient_squares);
  if (lane == 0u) {
    atomicStore(&stats[slot + DEAD_UNITS], dead_units);
    atomicStore(&stats[slot + SATURATED_VALUES], saturated_values);
    atomicStore(&stats[slot + WEIGHT_SQUARES], bitcast<u32>(weight_total));
    atomicStore(&stats[slot + GRADIENT_SQUARES], bitcast<u32>(gradient_total));
    atomicStore(&stats[slot + START_SQUARES], bitcast<u32>(start_total));
    atomicStore(&stats[slot + UPDATE_SQUARES], bitcast<u32>(update_total));
  }
}
