/**
 * Numeric CSV tables: every column a feature except the last, which is the class label.
 *
 * @module
 */

import type { Examples } from "./dataset.ts";

/** What {@linkcode parseCsv} reads from a file. */
export interface CsvTable {
  /** Column names from the header row, or null when the file has none. */
  header: string[] | null;
  features: number;
  /** max(label) + 1. */
  classes: number;
  examples: Examples;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Labels are stored as u8 (see {@linkcode Examples}). */
const MAX_LABEL = 255;

/**
 * Parses comma-separated numeric rows; the last column must hold non-negative integer labels.
 * The first row is a header when none of its fields is a number. Blank lines are skipped;
 * fields may be wrapped in double quotes. Errors name the 1-based line and the offending value.
 */
export function parseCsv(text: string, fileName: string): CsvTable {
  const lines = text.split(/\r?\n/);
  let header: string[] | null = null;
  let columns = 0;
  let firstDataLine = 0;
  const values: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const lineNumber = i + 1;
    const fields = lines[i].split(",").map(unquote);
    if (header === null && columns === 0 && fields.every((field) => !NUMBER.test(field))) {
      header = fields;
      columns = fields.length;
      continue;
    }
    if (columns === 0) columns = fields.length;
    if (columns < 2) {
      throw new Error(
        `CSV file "${fileName}" line ${lineNumber} has ${columns} column, ` +
          `expected at least 2 (features, then the label)`,
      );
    }
    if (fields.length !== columns) {
      const shape = firstDataLine ? `line ${firstDataLine}` : "the header";
      throw new Error(
        `CSV file "${fileName}" line ${lineNumber} has ${fields.length} fields, ` +
          `expected ${columns} like ${shape}`,
      );
    }
    if (!firstDataLine) firstDataLine = lineNumber;
    for (let c = 0; c < columns - 1; c++) {
      if (!NUMBER.test(fields[c])) {
        throw new Error(
          `CSV file "${fileName}" line ${lineNumber} column ${c + 1}: "${
            fields[c]
          }" is not a number`,
        );
      }
      values.push(Number(fields[c]));
    }
    const label = fields[columns - 1];
    if (!/^\+?\d+$/.test(label) || Number(label) > MAX_LABEL) {
      throw new Error(
        `CSV file "${fileName}" line ${lineNumber} column ${columns}: label "${label}" ` +
          `is not an integer in 0..${MAX_LABEL}`,
      );
    }
    labels.push(Number(label));
  }
  if (labels.length === 0) throw new Error(`CSV file "${fileName}" has no data rows`);
  const classes = labels.reduce((max, label) => Math.max(max, label), 0) + 1;
  if (classes < 2) {
    throw new Error(
      `CSV file "${fileName}" has only label 0, expected at least 2 classes (labels 0 and 1)`,
    );
  }
  return {
    header,
    features: columns - 1,
    classes,
    examples: {
      count: labels.length,
      inputs: Float32Array.from(values),
      labels: Uint8Array.from(labels),
    },
  };
}

function unquote(field: string): string {
  const trimmed = field.trim();
  const quoted = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"');
  return quoted ? trimmed.slice(1, -1).trim() : trimmed;
}
