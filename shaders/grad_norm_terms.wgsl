// The global gradient norm of torch.nn.utils.clip_grad_norm_ (engine/cpu/grad_clip.ts), taken
// over g = loss gradient + the L1/L2 penalty's gradient (the penalty is part of the loss):
//   ‖g‖ = (Σ |gᵢ|^p)^(1/p), or max |gᵢ| when NORM_INF.
// A term per element, terms combined by + (or max), and the root taken once at the end, so the
// partial sums of grad_norm.wgsl fold in any order.

// p, for a finite norm.
override NORM_TYPE: f32 = 2.0;
override NORM_INF: bool = false;

fn norm_term(g: f32) -> f32 {
  let size = abs(g);
  if (NORM_INF) {
    return size;
  }
  if (NORM_TYPE == 2.0) {
    return size * size;
  }
  if (NORM_TYPE == 1.0) {
    return size;
  }
  return pow(size, NORM_TYPE);
}

fn combine_terms(a: f32, b: f32) -> f32 {
  return select(a + b, max(a, b), NORM_INF);
}

fn finish_norm(total: f32) -> f32 {
  if (NORM_INF || NORM_TYPE == 1.0) {
    return total;
  }
  if (NORM_TYPE == 2.0) {
    return sqrt(total);
  }
  return pow(total, 1.0 / NORM_TYPE);
}
