// nn.BatchNorm1d on a hidden layer's Z [rows × UNITS], then the layer's activation and inverted
// dropout (as linear_forward's `hidden` epilogue). Training normalises with the batch mean and
// biased variance (two passes) and moves the running statistics by MOMENTUM with the unbiased
// variance; evaluation normalises with the running statistics
// (https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html).
// A workgroup owns UNIT_LANES units; ROW_LANES threads per unit stride over the rows and reduce
// through workgroup memory.
// Running statistics stop moving after a step whose loss was not finite (epoch_status).
// Libraries: step_params, activation, dropout_rng, hidden_epilogue, epoch_status.

override UNITS: u32;
override GAMMA_OFFSET: u32;
override BETA_OFFSET: u32;
// Offsets in the buffer of running statistics: mean, variance and the batch counter.
override RUNNING_MEAN_OFFSET: u32;
override RUNNING_VAR_OFFSET: u32;
override BATCHES_TRACKED_OFFSET: u32;
override MOMENTUM: f32 = 0.1;
override EPS: f32 = 1e-5;
override TRAINING: bool = true;
override UNIT_LANES: u32 = 16u;
override ROW_LANES: u32 = 16u;

@group(0) @binding(0) var<storage, read> pre_norm: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read_write> running: array<f32>;
// Per unit: the batch mean, then 1/√(σ²_B + ε), for batch_norm_backward.
@group(0) @binding(3) var<storage, read_write> batch_stats: array<f32>;
@group(0) @binding(4) var<storage, read_write> normalized: array<f32>;
@group(0) @binding(5) var<storage, read_write> activation: array<f32>;
@group(0) @binding(6) var<storage, read> status: EpochStatus;
@group(1) @binding(0) var<uniform> step: StepParams;

// A single override name: see the note in matmul_tile.wgsl.
override PARTIAL_WORDS: u32 = UNIT_LANES * ROW_LANES;
var<workgroup> partial: array<f32, PARTIAL_WORDS>;

// Σ over the workgroup's row lanes of `value`, for every unit lane; uniform control flow only.
fn sum_over_rows(lane: vec2<u32>, value: f32) -> f32 {
  partial[lane.y * UNIT_LANES + lane.x] = value;
  workgroupBarrier();
  var total = 0.0;
  for (var r = 0u; r < ROW_LANES; r++) {
    total += partial[r * UNIT_LANES + lane.x];
  }
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(UNIT_LANES, ROW_LANES)
fn main(
  @builtin(local_invocation_id) lane: vec3<u32>,
  @builtin(workgroup_id) group: vec3<u32>,
) {
  let unit = group.x * UNIT_LANES + lane.x;
  let in_range = unit < UNITS;
  let rows = step.rows;
  // y = γ·(z − center)·inv_std + β
  var center = 0.0;
  var inv_std = 0.0;
  if (TRAINING) {
    var sum = 0.0;
    if (in_range) {
      for (var r = lane.y; r < rows; r += ROW_LANES) {
        sum += pre_norm[r * UNITS + unit];
      }
    }
    let mean = sum_over_rows(lane.xy, sum) / f32(rows);
    var squares = 0.0;
    if (in_range) {
      for (var r = lane.y; r < rows; r += ROW_LANES) {
        let d = pre_norm[r * UNITS + unit] - mean;
        squares += d * d;
      }
    }
    let sum_squares = sum_over_rows(lane.xy, squares);
    center = mean;
    inv_std = 1.0 / sqrt(sum_squares / f32(rows) + EPS);
    if (in_range) {
      if (lane.y == 0u) {
        batch_stats[unit] = mean;
        batch_stats[UNITS + unit] = inv_std;
      }
      if (lane.y == 0u && status.first_non_finite >= step.step_in_epoch) {
        let unbiased = sum_squares / f32(rows - 1u);
        running[RUNNING_MEAN_OFFSET + unit] =
          (1.0 - MOMENTUM) * running[RUNNING_MEAN_OFFSET + unit] + MOMENTUM * mean;
        running[RUNNING_VAR_OFFSET + unit] =
          (1.0 - MOMENTUM) * running[RUNNING_VAR_OFFSET + unit] + MOMENTUM * unbiased;
        if (unit == 0u) {
          running[BATCHES_TRACKED_OFFSET] += 1.0;
        }
      }
    }
  } else if (in_range) {
    center = running[RUNNING_MEAN_OFFSET + unit];
    inv_std = 1.0 / sqrt(running[RUNNING_VAR_OFFSET + unit] + EPS);
  }
  if (!in_range) {
    return;
  }
  let gamma = params[GAMMA_OFFSET + unit];
  let beta = params[BETA_OFFSET + unit];
  for (var r = lane.y; r < rows; r += ROW_LANES) {
    let index = r * UNITS + unit;
    let y = gamma * ((pre_norm[index] - center) * inv_std) + beta;
    normalized[index] = y;
    activation[index] = inverted_dropout(index, activate(ACTIVATION, y));
  }
}
