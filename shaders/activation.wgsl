// Hidden-layer activations (torch.nn.functional) and their derivatives at the pre-activation,
// as in the CPU reference engine/cpu/activations.ts. Codes match ACTIVATION_CODES in
// engine/kernels/activation.ts.

const ACTIVATION_NONE = 0u;
const ACTIVATION_RELU = 1u;
const ACTIVATION_SIGMOID = 2u;
const ACTIVATION_TANH = 3u;
const ACTIVATION_LEAKY_RELU = 4u;
const ACTIVATION_GELU = 5u;

// torch.nn.LeakyReLU's default negative_slope.
const LEAKY_SLOPE = 0.01;
const INV_SQRT2 = 0.70710678118654752;
const INV_SQRT_2PI = 0.39894228040143268;

fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

// Clamped because some drivers evaluate tanh as a ratio of exponentials that overflows to NaN;
// tanh(±15) is ±1 in f32 already.
fn tanh_clamped(x: f32) -> f32 {
  return tanh(clamp(x, -15.0, 15.0));
}

// Complementary error function for z ≥ 0: the Chebyshev fit of Numerical Recipes 3rd ed.
// §6.2.2 (Erf::erfccheb), erfc(z) = t·exp(−z² + P(t)) with t = 2/(2 + z), relative error far
// below f32's. Computing Φ through erfc keeps GELU's negative tail accurate, where 1 + erf(x)
// would cancel.
fn erfc_nonnegative(z: f32) -> f32 {
  var c = array<f32, 28>(
    -1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3,
    -9.46595344482036e-4, 3.66839497852761e-4, 4.2523324806907e-5, -2.0278578112534e-5,
    -1.624290004647e-6, 1.303655835580e-6, 1.5626441722e-8, -8.5238095915e-8,
    6.529054439e-9, 5.059343495e-9, -9.91364156e-10, -2.27365122e-10,
    9.6467911e-11, 2.394038e-12, -6.886027e-12, 8.94487e-13,
    3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15,
    -1.523e-15, -9.4e-17, 1.21e-16, -2.8e-17);
  let t = 2.0 / (2.0 + z);
  let ty = 4.0 * t - 2.0;
  var d = 0.0;
  var dd = 0.0;
  for (var j = 27; j > 0; j--) {
    let previous = d;
    d = ty * d - dd + c[j];
    dd = previous;
  }
  return t * exp(-z * z + 0.5 * (c[0] + ty * d) - dd);
}

// Standard normal CDF Φ(x) = erfc(−x/√2) / 2.
fn normal_cdf(x: f32) -> f32 {
  let tail = 0.5 * erfc_nonnegative(abs(x) * INV_SQRT2);
  return select(1.0 - tail, tail, x < 0.0);
}

fn activate(kind: u32, x: f32) -> f32 {
  switch kind {
    case ACTIVATION_RELU: { return max(x, 0.0); }
    case ACTIVATION_SIGMOID: { return sigmoid(x); }
    case ACTIVATION_TANH: { return tanh_clamped(x); }
    case ACTIVATION_LEAKY_RELU: { return select(x * LEAKY_SLOPE, x, x > 0.0); }
    // Exact GELU (torch approximate='none'): x · Φ(x).
    case ACTIVATION_GELU: { return x * normal_cdf(x); }
    default: { return x; }
  }
}

// d activate(x) / dx.
fn activate_derivative(kind: u32, x: f32) -> f32 {
  switch kind {
    case ACTIVATION_RELU: { return select(0.0, 1.0, x > 0.0); }
    case ACTIVATION_SIGMOID: {
      let s = sigmoid(x);
      return s * (1.0 - s);
    }
    case ACTIVATION_TANH: {
      let t = tanh_clamped(x);
      return 1.0 - t * t;
    }
    case ACTIVATION_LEAKY_RELU: { return select(LEAKY_SLOPE, 1.0, x > 0.0); }
    // Φ(x) + x·φ(x).
    case ACTIVATION_GELU: {
      return normal_cdf(x) + x * INV_SQRT_2PI * exp(-0.5 * x * x);
    }
    default: { return 1.0; }
  }
}
