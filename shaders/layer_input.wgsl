// The input of a linear layer for one batch, read where it lies: the first layer gathers dataset
// rows through the epoch's `order` and applies the input transform (ToTensor's /255 and
// Normalize folded into one multiply-add, engine/data/transform.ts), so the dataset stays on
// the GPU once, as u8 pixels; deeper layers read the previous layer's activations.
// The kernel file declares `source`, `order` and `step`.

const SOURCE_DATA_U8 = 0u;
const SOURCE_DATA_F32 = 1u;
const SOURCE_ACTIVATIONS = 2u;

override SOURCE: u32 = SOURCE_ACTIVATIONS;
override IN_FEATURES: u32;
override INPUT_SCALE: f32 = 1.0;
override INPUT_SHIFT: f32 = 0.0;

// Feature k of the batch's row `row` (row < step.rows, k < IN_FEATURES).
fn layer_input(row: u32, k: u32) -> f32 {
  if (SOURCE == SOURCE_ACTIVATIONS) {
    return bitcast<f32>(source[row * IN_FEATURES + k]);
  }
  let index = order[step.first + row] * IN_FEATURES + k;
  var raw: f32;
  if (SOURCE == SOURCE_DATA_U8) {
    raw = f32((source[index >> 2u] >> ((index & 3u) * 8u)) & 0xffu);
  } else {
    raw = bitcast<f32>(source[index]);
  }
  return raw * INPUT_SCALE + INPUT_SHIFT;
}
