/**
 * Terminal formatting shared by the CLIs.
 *
 * @module
 */

import type { Issue } from "../config/issues.ts";
import { lossText, percent } from "../views/shell/format.ts";

/** One line per issue: `  model.layers.0.units: Units must be …`. */
export function formatIssues(issues: Issue[]): string {
  return issues.map((issue) => `  ${issue.path || "(root)"}: ${issue.message}`).join("\n");
}

/** A rate (accuracy, precision, …) as the dashboard shows it, "97.31%"; "-" when there is none. */
export function rateCell(value: number | null): string {
  return value === null ? "-" : percent(value);
}

/** A loss as the dashboard shows it, to four significant places; "-" when there is none. */
export function lossCell(value: number | null): string {
  return value === null ? "-" : lossText(value);
}

/** A study metric (`devAccuracy`, `trainLoss`, …) in its own kind's format. */
export function metricCell(metric: string, value: number | null): string {
  return /accuracy/i.test(metric) ? rateCell(value) : lossCell(value);
}

/** A hyperparameter's number to four significant places: 0.0031622776 → "0.003162". */
export function paramCell(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
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
