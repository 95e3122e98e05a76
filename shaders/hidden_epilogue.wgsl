// What a hidden layer applies after its product (or batch norm), and what the backward pass
// undoes: the activation and inverted dropout, with the mask from dropout_rng keyed by the step,
// the layer and the element. Constants from epilogueConstants (engine/kernels/activation.ts).
// Needs the libraries activation and dropout_rng, and the kernel's `step`.

override ACTIVATION: u32 = ACTIVATION_NONE;
// Hidden layer index (0-based), the dropout hash's `layer` key.
override LAYER: u32 = 0u;
// ⌈p · 2^24⌉ (0 keeps every unit: no dropout, or evaluation) and 1 / (1 − p).
override DROPOUT_THRESHOLD: u32 = 0u;
override DROPOUT_SCALE: f32 = 1.0;

// `value` at element `index` of this layer's [rows × units] output through inverted dropout:
// 0 where dropped (hashUniform < p), else scaled by 1 / (1 − p).
fn inverted_dropout(index: u32, value: f32) -> f32 {
  if (DROPOUT_THRESHOLD == 0u) {
    return value;
  }
  let keep = dropout_keep(step.dropout_seed, step.global_step, LAYER, index, DROPOUT_THRESHOLD);
  return select(0.0, value * DROPOUT_SCALE, keep);
}
