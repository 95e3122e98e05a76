// Folds the per-row metric slots that the loss kernels accumulated over an epoch (or an
// evaluation) into `totals`; the host clears the slots before each. One workgroup: it runs once
// per epoch, over at most a batch's worth of slots.
// Libraries: epoch_status.

override SLOTS: u32;
override WORKGROUP_SIZE: u32 = 256u;

struct RowMetrics {
  loss: f32,
  correct: u32,
}

@group(0) @binding(0) var<storage, read> row_metrics: array<RowMetrics>;
@group(0) @binding(1) var<storage, read_write> totals: EpochStatus;

var<workgroup> loss_partial: array<f32, WORKGROUP_SIZE>;
var<workgroup> correct_partial: array<u32, WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(local_invocation_index) lane: u32) {
  var loss = 0.0;
  var correct = 0u;
  for (var i = lane; i < SLOTS; i += WORKGROUP_SIZE) {
    let slot = row_metrics[i];
    loss += slot.loss;
    correct += slot.correct;
  }
  loss_partial[lane] = loss;
  correct_partial[lane] = correct;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lane < stride) {
      loss_partial[lane] += loss_partial[lane + stride];
      correct_partial[lane] += correct_partial[lane + stride];
    }
    workgroupBarrier();
  }
  if (lane == 0u) {
    totals.loss = loss_partial[0];
    totals.correct = correct_partial[0];
  }
}
