import assert from "node:assert/strict";
import type { StudyReport, TrialReport } from "../../jobs/study_report.ts";
import type { TrialState } from "../../tuner/frozen_trial.ts";
import { studyStatus } from "./study_view_data.ts";

function report(states: TrialState[], trialBudget = 3): StudyReport {
  const trials = states.map((state, number): TrialReport => ({
    number,
    state,
    params: {},
    value: null,
    intermediateValues: [],
    runId: null,
    durationSeconds: null,
    failReason: null,
  }));
  return {
    study: "s",
    id: 1,
    direction: "maximize",
    metric: "devAccuracy",
    trialBudget,
    bestParams: null,
    bestValue: null,
    bestTrial: null,
    counts: {},
    trials,
  };
}

Deno.test("studyStatus() is completed once every trial of the budget ended", () => {
  assert.equal(studyStatus(report(["COMPLETE", "PRUNED", "FAIL"]), false), "completed");
  assert.equal(studyStatus(report(["COMPLETE", "PRUNED", "FAIL"]), true), "completed");
});

Deno.test("studyStatus() is running while a worker here or anywhere has trials to finish", () => {
  assert.equal(studyStatus(report([]), true), "running", "just started here");
  assert.equal(studyStatus(report(["COMPLETE", "RUNNING"]), false), "running", "a CLI worker");
  assert.equal(studyStatus(report(["COMPLETE", "COMPLETE", "RUNNING"]), false), "running");
});

Deno.test("studyStatus() is stopped when nothing runs and the budget is not spent", () => {
  assert.equal(studyStatus(report(["COMPLETE"]), false), "stopped");
});

Deno.test("studyStatus() is ended, not completed, when the budget is spent without a complete trial", () => {
  assert.equal(studyStatus(report(["FAIL", "FAIL", "FAIL"]), false), "ended");
  assert.equal(studyStatus(report(["FAIL", "PRUNED", "FAIL"]), true), "ended");
});

Deno.test("studyStatus() is stopped, not running, with a queued trial and no worker here", () => {
  // A stop failed trial 1 and queued its parameters again as trial 2.
  const stopped = report(["COMPLETE", "FAIL", "WAITING"]);
  assert.equal(studyStatus(stopped, false, 1), "stopped");
  assert.equal(studyStatus(stopped, true, 1), "running", "resumed");
  // Its retry done, the re-queued trial does not count against the budget of 3.
  assert.equal(studyStatus(report(["COMPLETE", "FAIL", "COMPLETE"]), false, 1), "stopped");
  assert.equal(
    studyStatus(report(["COMPLETE", "FAIL", "COMPLETE", "COMPLETE"]), false, 1),
    "completed",
  );
});
