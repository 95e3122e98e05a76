import assert from "node:assert/strict";
import { EarlyStopping } from "./early_stopping.ts";
import type { EarlyStoppingSpec } from "./spec.ts";

const spec = (over: Partial<EarlyStoppingSpec>): EarlyStoppingSpec => ({
  metric: "devLoss",
  mode: "min",
  patience: 3,
  minDelta: 0,
  restoreBest: true,
  ...over,
});

/** The 1-based epoch it stops at (null: never) and its best epoch, over `values`. */
function run(s: EarlyStoppingSpec, values: number[]) {
  const rule = new EarlyStopping(s);
  for (const [i, value] of values.entries()) {
    if (rule.update(i + 1, value).stop) return { stopped: i + 1, best: rule.bestEpoch };
  }
  return { stopped: null, best: rule.bestEpoch };
}

Deno.test("EarlyStopping stops after patience epochs without improvement (min mode)", () => {
  // Best 0.5 at epoch 2; epochs 3, 4, 5 do not beat it (0.5 ties), so it stops at 5.
  assert.deepEqual(run(spec({}), [0.9, 0.5, 0.6, 0.5, 0.7, 0.1]), { stopped: 5, best: 2 });
});

Deno.test("EarlyStopping needs an improvement larger than minDelta", () => {
  // min_delta 0.1: 0.85 beats 0.9 by only 0.05, 0.75 beats it by 0.15 (epoch 3 becomes best),
  // then 0.7 and 0.66 are within 0.1 of 0.75: patience 2 stops at epoch 5.
  assert.deepEqual(
    run(spec({ minDelta: 0.1, patience: 2 }), [0.9, 0.85, 0.75, 0.7, 0.66, 0.1]),
    { stopped: 5, best: 3 },
  );
});

Deno.test("EarlyStopping in max mode counts a rise as an improvement", () => {
  // Accuracies: best 0.8 at epoch 3; 0.8, 0.79 do not beat it; patience 2 stops at epoch 5.
  assert.deepEqual(
    run(spec({ metric: "devAccuracy", mode: "max", patience: 2 }), [0.5, 0.7, 0.8, 0.8, 0.79]),
    { stopped: 5, best: 3 },
  );
  // A patient enough rule trains every epoch.
  assert.deepEqual(run(spec({ mode: "max", patience: 5 }), [0.5, 0.4, 0.3]), {
    stopped: null,
    best: 1,
  });
});

Deno.test("EarlyStopping with patience 0 stops at the first epoch that does not improve", () => {
  assert.deepEqual(run(spec({ patience: 0 }), [3, 2, 2.5]), { stopped: 3, best: 2 });
});

Deno.test("EarlyStopping stops at a NaN metric, as Lightning's check_finite", () => {
  assert.deepEqual(run(spec({ patience: 10 }), [1, NaN, 0.5]), { stopped: 2, best: 1 });
});

interface LightningCase {
  mode: "min" | "max";
  patience: number;
  minDelta: number;
  /** NaN and ±Infinity written as strings (JSON has neither). */
  values: (number | string)[];
  stoppedEpoch: number | null;
  bestEpoch: number | null;
}

Deno.test("EarlyStopping stops and picks the best epoch as Lightning's rule does", async () => {
  // tests/fixtures/make_early_stopping_fixtures.py: Lightning's _evaluate_stopping_criteria in
  // torch, on float32 metrics.
  const url = new URL("../tests/fixtures/early_stopping/lightning_rule.json", import.meta.url);
  const cases: Record<string, LightningCase> = JSON.parse(await Deno.readTextFile(url));
  assert.ok(Object.keys(cases).length >= 8);
  for (const [name, c] of Object.entries(cases)) {
    const special: Record<string, number> = { nan: NaN, inf: Infinity, "-inf": -Infinity };
    const values = c.values.map((v) => typeof v === "number" ? v : special[v]);
    const got = run(spec({ mode: c.mode, patience: c.patience, minDelta: c.minDelta }), values);
    assert.deepEqual(got, { stopped: c.stoppedEpoch, best: c.bestEpoch }, name);
  }
});
