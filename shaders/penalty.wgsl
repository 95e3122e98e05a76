// Gradient of the explicit penalty l1·Σ|w| + l2·Σw² (engine/cpu/penalties.ts), folded into each
// optimizer kernel: l1·sign(w) + 2·l2·w, with sign(0) = 0 as torch.sign.

override L1: f32 = 0.0;
override L2: f32 = 0.0;

fn penalty_gradient(w: f32) -> f32 {
  return L1 * sign(w) + 2.0 * L2 * w;
}
