// The scalars of one step (a training batch, or an evaluation chunk), written by
// engine/webgpu/step_params.ts into one uniform-aligned slot per step and bound with a dynamic
// offset, so a whole epoch is encoded up front and no step waits for the host.
struct StepParams {
  // Examples in this batch; the last batch of an epoch may be short.
  rows: u32,
  // Position in `order` of the batch's first example.
  first: u32,
  // Dropout key: epoch · stepsPerEpoch + step.
  global_step: u32,
  // Step within the epoch, reported back when a loss is not finite.
  step_in_epoch: u32,
  dropout_seed: u32,
  // Optimizer steps taken including this one (t in torch.optim, from 1).
  optimizer_step: u32,
  // Adam: lr / (1 − β1^t) and √(1 − β2^t), computed in f64 on the host.
  adam_step_size: f32,
  adam_bias_correction2_sqrt: f32,
  // The step's learning rate: a scheduler's (torch.optim.lr_scheduler), else the optimizer's.
  lr: f32,
  // SGD's or RMSprop's momentum, or Adam's β1; OneCycleLR may cycle it per step.
  momentum: f32,
  // Adam: 1 − β1, and AdamW: 1 − lr·λ, each rounded once from f64 on the host.
  one_minus_beta1: f32,
  decoupled_decay: f32,
  // 1 on the first step that uses momentum, where SGD's buffer starts as a copy of g.
  momentum_fresh: u32,
}
