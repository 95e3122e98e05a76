/**
 * Terminal formatting shared by the CLIs.
 *
 * @module
 */

import type { Issue } from "../config/issues.ts";

/** One line per issue: `  model.layers.0.units: Units must be …`. */
export function formatIssues(issues: Issue[]): string {
  return issues.map((issue) => `  ${issue.path || "(root)"}: ${issue.message}`).join("\n");
}

const NUMBER = /^(-|[-+]?\d[\d.,]*(e[-+]?\d+)?%?)$/;

/** A plain aligned table: numbers right-aligned, text left-aligned, a rule under the header. */
export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((row) => row.map(String));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const numeric = headers.map((_, i) => cells.every((row) => NUMBER.test(row[i])));
  const line = (row: string[]) =>
    row.map((cell, i) => numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])).join("  ")
      .trimEnd();
  return [line(headers), widths.map((w) => "─".repeat(w)).join("  "), ...cells.map(line)].join(
    "\n",
  );
}
