// A training step's loss (see loss_functions): accumulates each row's loss and correctness
// into its metric slot and writes ∂(batch loss)/∂logits for the backward pass. The first step
// whose loss is NaN or ±∞ is recorded in `totals`; like the CPU reference, which returns at that
// step, later steps add no metrics, and the optimizers and batch norm skip their updates from it.
// Libraries: step_params, loss_functions, epoch_status.

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read> order: array<u32>;
@group(0) @binding(3) var<storage, read_write> row_metrics: array<RowMetrics>;
@group(0) @binding(4) var<storage, read_write> grad_logits: array<f32>;
@group(0) @binding(5) var<storage, read_write> totals: EpochTotals;
@group(1) @binding(0) var<uniform> step: StepParams;

// ∂(batch loss)/∂logits for this row.
fn write_row_gradient(row: u32, label: u32) {
  let base = row * OUTPUTS;
  if (LOSS == LOSS_CROSS_ENTROPY) {
    let lse = log_sum_exp(base);
    let rows = f32(step.rows);
    for (var j = 0u; j < OUTPUTS; j++) {
      grad_logits[base + j] = (exp(logits[base + j] - lse) - target_value(label, j)) / rows;
    }
    return;
  }
  let count = f32(step.rows * OUTPUTS);
  for (var j = 0u; j < OUTPUTS; j++) {
    grad_logits[base + j] = elementwise(logits[base + j], target_value(label, j)).y / count;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.x;
  if (row >= step.rows || atomicLoad(&totals.first_non_finite) < step.step_in_epoch) {
    return;
  }
  let label = labels[order[step.first + row]];
  let loss = row_loss(row, label);
  write_row_gradient(row, label);
  var slot = row_metrics[row];
  slot.loss += loss;
  slot.correct += select(0u, 1u, predicted_class(row) == label);
  row_metrics[row] = slot;
  if (!is_finite(loss)) {
    atomicMin(&totals.first_non_finite, step.step_in_epoch);
  }
}
