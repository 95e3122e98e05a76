import assert from "node:assert/strict";
import { formatIssues, formatTable, lossCell, metricCell, paramCell, rateCell } from "./format.ts";

Deno.test("formatTable() aligns numbers right and text left under a rule", () => {
  const table = formatTable(["name", "acc"], [["a", "0.50"], ["long name", 0.25], ["c", "-"]]);
  assert.equal(
    table,
    ["name        acc", "─────────  ────", "a          0.50", "long name  0.25", "c             -"]
      .join("\n"),
  );
});

Deno.test("formatIssues() prints one indented line per issue, naming the root for an empty path", () => {
  assert.equal(
    formatIssues([{ path: "epochs", message: "Epochs must be at least 1" }, {
      path: "",
      message: "Bad",
    }]),
    "  epochs: Epochs must be at least 1\n  (root): Bad",
  );
});

Deno.test("rateCell() and lossCell() read as the dashboard's figures, with a dash for none", () => {
  assert.equal(rateCell(0.9731), "97.31%");
  assert.equal(rateCell(null), "-");
  assert.equal(lossCell(0.123456), "0.1235");
  assert.equal(lossCell(3e14), "3.000e+14");
  assert.equal(lossCell(null), "-");
});

Deno.test("metricCell() shows an accuracy metric as a percentage and a loss metric as a loss", () => {
  assert.equal(metricCell("devAccuracy", 0.5), "50.00%");
  assert.equal(metricCell("trainAccuracy", 1), "100.00%");
  assert.equal(metricCell("devLoss", 0.5), "0.5000");
  assert.equal(metricCell("trainLoss", null), "-");
});

Deno.test("paramCell() keeps four significant places and whole numbers as they are", () => {
  assert.equal(paramCell(0.0031622776), "0.003162");
  assert.equal(paramCell(16), "16");
  assert.equal(paramCell(1e-7), "1e-7");
});
