// layer_input for the matmul_block kernels (CPU adapters): the same input of a linear layer,
// read four features at a time. `source` is bound as array<vec4<u32>> so a quad of f32
// features is one load when IN_FEATURES is a multiple of 4 (two and a shuffle otherwise);
// four u8 pixels are one word. Each row's start (the dataset lookup through `order` for the
// first layer) is computed once per invocation by input_row_start.
// The kernel file declares `source` (array<vec4<u32>>), `order` and `step`.

const SOURCE_DATA_U8 = 0u;
const SOURCE_DATA_F32 = 1u;
const SOURCE_ACTIVATIONS = 2u;

override SOURCE: u32 = SOURCE_ACTIVATIONS;
override IN_FEATURES: u32;
override INPUT_SCALE: f32 = 1.0;
override INPUT_SHIFT: f32 = 0.0;

// Index in `source`'s elements (bytes for u8, words otherwise) of feature 0 of batch row `row`.
fn input_row_start(row: u32) -> u32 {
  if (SOURCE == SOURCE_ACTIVATIONS) {
    return row * IN_FEATURES;
  }
  return order[step.first + row] * IN_FEATURES;
}

// Features [k, k + 4) of the row starting at `start`; past IN_FEATURES they are the next row's.
fn input_quad(start: u32, k: u32) -> vec4<f32> {
  let index = start + k;
  if (SOURCE == SOURCE_DATA_U8) {
    let word = index >> 2u;
    var bytes = source[word >> 2u][word & 3u];
    if (IN_FEATURES % 4u != 0u) {
      let shift = (index & 3u) * 8u;
      let next = source[(word + 1u) >> 2u][(word + 1u) & 3u];
      bytes = select((bytes >> shift) | (next << (32u - shift)), bytes, shift == 0u);
    }
    let raw = vec4<f32>(vec4<u32>(bytes, bytes >> 8u, bytes >> 16u, bytes >> 24u) & vec4<u32>(0xffu));
    return raw * INPUT_SCALE + INPUT_SHIFT;
  }
  var words = bitcast<vec4<f32>>(source[index >> 2u]);
  if (IN_FEATURES % 4u != 0u) {
    words = quad_at(words, bitcast<vec4<f32>>(source[(index >> 2u) + 1u]), index & 3u);
  }
  if (SOURCE == SOURCE_DATA_F32) {
    return words * INPUT_SCALE + INPUT_SHIFT;
  }
  return words;
}
