// An evaluation chunk's loss (see loss_functions): accumulates each row's loss and correctness
// into its metric slot and counts the confusion matrix.
// Libraries: step_params, loss_functions.

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read> order: array<u32>;
@group(0) @binding(3) var<storage, read_write> row_metrics: array<RowMetrics>;
// confusion[label · CLASSES + predicted]
@group(0) @binding(4) var<storage, read_write> confusion: array<atomic<u32>>;
@group(1) @binding(0) var<uniform> step: StepParams;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.x;
  if (row >= step.rows) {
    return;
  }
  let label = labels[order[step.first + row]];
  let loss = row_loss(row, label);
  let predicted = predicted_class(row);
  var slot = row_metrics[row];
  slot.loss += loss;
  slot.correct += select(0u, 1u, predicted == label);
  row_metrics[row] = slot;
  atomicAdd(&confusion[label * CLASSES + predicted], 1u);
}
