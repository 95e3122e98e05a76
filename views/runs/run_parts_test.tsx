import assert from "node:assert/strict";
import type { EpochRow } from "../../db/runs.ts";
import { Curve, IDS, type LiveState, RunProgress } from "./run_parts.tsx";

const epoch = (n: number, seconds = 2): EpochRow => ({
  epoch: n,
  trainLoss: 0.5,
  trainAccuracy: 0.8,
  devLoss: 0.6,
  devAccuracy: 0.75,
  seconds,
});

function state(overrides: Partial<LiveState>): LiveState {
  return { id: 1, status: "running", error: null, epochsPlanned: 3, epochs: [], ...overrides };
}

/** These components render synchronously: their string is the HTML. */
function html(node: unknown): string {
  return String(node);
}

Deno.test("RunProgress() gives no 0 s estimate once the last epoch is done", () => {
  const last = html(
    <RunProgress state={state({ epochs: [1, 2, 3].map((n) => epoch(n)) })} />,
  );
  assert.match(last, /Epoch 3 of 3 · 2\.0 s per epoch</);
  assert.ok(!last.includes("left"), last);
  const quick = html(
    <RunProgress state={state({ epochs: [epoch(1, 0.2), epoch(2, 0.2)] })} />,
  );
  assert.match(quick, /under 1 s left/);
  const slow = html(<RunProgress state={state({ epochs: [epoch(1, 30)] })} />);
  assert.match(slow, /about 1 min left/);
});

Deno.test("RunProgress() says epoch, not epochs, for a one-epoch run", () => {
  const one = html(
    <RunProgress state={state({ status: "completed", epochsPlanned: 1, epochs: [epoch(1)] })} />,
  );
  assert.match(one, /1 of 1 epoch in 2\.0 s/);
  const three = html(
    <RunProgress state={state({ status: "failed", epochsPlanned: 3, epochs: [epoch(1)] })} />,
  );
  assert.match(three, /1 of 3 epochs in .*; failed after epoch 1/);
  const none = html(<RunProgress state={state({ status: "cancelled", epochs: [] })} />);
  assert.match(none, /Ended cancelled before its first epoch/);
});

Deno.test("the curves of a run that ended before its first epoch say no epoch finished", () => {
  for (const status of ["failed", "diverged", "cancelled", "interrupted"] as const) {
    const ended = state({ status });
    const loss = html(<Curve state={ended} id={IDS.lossChart} />);
    const accuracy = html(<Curve state={ended} id={IDS.accuracyChart} />);
    for (const svg of [loss, accuracy]) {
      assert.ok(svg.includes("No epoch finished"), status);
      assert.ok(!svg.includes("Waiting for the first epoch"), status);
    }
  }
  const queued = html(<Curve state={state({ status: "queued" })} id={IDS.lossChart} />);
  assert.ok(queued.includes("Waiting for the first epoch"));
});
