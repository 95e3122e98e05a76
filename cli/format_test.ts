import assert from "node:assert/strict";
import { formatIssues, formatTable } from "./format.ts";

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
