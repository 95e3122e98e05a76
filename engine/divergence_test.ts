import assert from "node:assert/strict";
import { divergenceReason, startingLoss, zeroOutputLoss } from "./divergence.ts";

Deno.test("zeroOutputLoss() is what a model that outputs zeros scores", () => {
  assert.equal(zeroOutputLoss("cross_entropy", 10), Math.log(10));
  assert.equal(zeroOutputLoss("bce_with_logits", 1), Math.log(2));
  assert.equal(zeroOutputLoss("bce", 3), Math.log(2));
  assert.equal(zeroOutputLoss("mse", 4), 0.25);
});

Deno.test("startingLoss() takes a zero output's loss when the first epoch already blew up", () => {
  assert.equal(startingLoss(3.7e6, Math.log(2)), Math.log(2));
  assert.equal(startingLoss(0.05, Math.log(2)), 0.05);
});

Deno.test("divergenceReason() names the epoch and the value past 10000× the start and over 1000", () => {
  assert.equal(
    divergenceReason(3, 3.1e14, Math.log(10)),
    "Train loss 3.100e+14 at epoch 3 grew past 10000× its start (2.303)",
  );
  // 10000 × 0.5 = 5000: just over is diverged, just under is not.
  assert.match(divergenceReason(2, 5001, 0.5) ?? "", /^Train loss 5.001e\+3 at epoch 2/);
  assert.equal(divergenceReason(2, 4999, 0.5), undefined);
});

Deno.test("divergenceReason() lets a small loss grow 10000× while it stays under 1000", () => {
  // A run that fitted to 1e-6 and drifted back to 0.05 is still training.
  assert.equal(divergenceReason(9, 0.05, 1e-6), undefined);
  assert.equal(divergenceReason(9, 999, 1e-6), undefined);
  assert.match(
    divergenceReason(9, 1001, 1e-6) ?? "",
    /grew past 10000× its start \(0\.000001000\)/,
  );
});

Deno.test("divergenceReason() calls a NaN or infinite loss diverged, with the value", () => {
  assert.equal(divergenceReason(4, NaN, 0.7), "Train loss became NaN at epoch 4");
  assert.equal(divergenceReason(1, Infinity, 0.7), "Train loss became Infinity at epoch 1");
});
