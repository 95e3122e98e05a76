// Counter-based dropout masks: the WGSL twin of `lowbias32` and `hashUniform` in
// engine/random.ts, bit for bit, so the CPU reference and the GPU drop the same units.
// lowbias32 is Chris Wellons' integer hash (https://nullprogram.com/blog/2018/07/31/); u32
// multiplication wraps in WGSL exactly as Math.imul(...) >>> 0 does in JavaScript.

fn lowbias32(input: u32) -> u32 {
  var x = input;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

// The 24 bits behind hashUniform(seed, step, layer, index) = hash_bits(...) / 2^24.
fn hash_bits(seed: u32, step: u32, layer: u32, index: u32) -> u32 {
  var h = lowbias32(seed);
  h = lowbias32(h ^ step);
  h = lowbias32(h ^ layer);
  h = lowbias32(h ^ index);
  return h >> 8u;
}

fn hash_uniform(seed: u32, step: u32, layer: u32, index: u32) -> f32 {
  return f32(hash_bits(seed, step, layer, index)) / 16777216.0;
}

// A unit is kept when hashUniform(...) ≥ p. The host passes threshold = ⌈p · 2^24⌉, which makes
// this integer test exactly the f64 comparison the CPU reference makes.
fn dropout_keep(seed: u32, step: u32, layer: u32, index: u32, threshold: u32) -> bool {
  return hash_bits(seed, step, layer, index) >= threshold;
}
