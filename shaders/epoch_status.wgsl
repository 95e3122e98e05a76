// The record an epoch (or an evaluation) reads back: metrics_reduce's sums, and the first step
// of the epoch whose loss was not finite (NO_STEP while all are), which the host resets before
// each epoch. The loss kernel updates it atomically (EpochTotals); kernels that only test for
// divergence bind it read-only (EpochStatus). The CPU reference stops before a non-finite
// step's update, so the optimizers skip their update from that step on and batch norm stops
// moving its running statistics after it.

const NO_STEP = 0xffffffffu;

struct EpochTotals {
  loss: f32,
  correct: u32,
  first_non_finite: atomic<u32>,
}

struct EpochStatus {
  loss: f32,
  correct: u32,
  first_non_finite: u32,
}
