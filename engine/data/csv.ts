/**
 * Numeric CSV tables: every column a feature except the last, which is the class label. Read
 * line by line from a stream (the file is never held whole as text), into a growing f32 array,
 * within row and column limits. Errors give the file, the line and the column, never the file's
 * contents: the path may come from a request, and its bytes are not the requester's to see.
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

export interface CsvLimits {
  maxRows: number;
  maxColumns: number;
  /** Characters in one line. */
  maxLineLength: number;
}

export const DEFAULT_CSV_LIMITS: CsvLimits = {
  maxRows: 10_000_000,
  maxColumns: 100_000,
  maxLineLength: 16 * 2 ** 20,
};

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Labels are stored as u8 (see {@linkcode Examples}). */
const MAX_LABEL = 255;

/**
 * Takes CSV lines in order. The first row is a header when none of its fields is a number.
 * Blank lines are skipped; fields may be wrapped in double quotes.
 */
class CsvReader {
  #header: string[] | null = null;
  #columns = 0;
  #firstDataLine = 0;
  #values = new Float32Array(1024);
  #valueCount = 0;
  #labels = new Uint8Array(256);
  #rows = 0;
  #lineNumber = 0;

  constructor(readonly fileName: string, readonly limits: CsvLimits) {}

  line(text: string): void {
    const lineNumber = ++this.#lineNumber;
    if (text.trim() === "") return;
    const where = `CSV file "${this.fileName}" line ${lineNumber}`;
    const fields = text.split(",").map(unquote);
    if (fields.length > this.limits.maxColumns) {
      throw new Error(
        `${where} has ${fields.length} fields, over the limit of ${this.limits.maxColumns}`,
      );
    }
    if (this.#header === null && this.#columns === 0 && fields.every((f) => !NUMBER.test(f))) {
      this.#header = fields;
      this.#columns = fields.length;
      return;
    }
    if (this.#columns === 0) this.#columns = fields.length;
    const columns = this.#columns;
    if (columns < 2) {
      throw new Error(
        `${where} has ${columns} column, expected at least 2 (features, then the label)`,
      );
    }
    if (fields.length !== columns) {
      const shape = this.#firstDataLine ? `line ${this.#firstDataLine}` : "the header";
      throw new Error(`${where} has ${fields.length} fields, expected ${columns} like ${shape}`);
    }
    if (this.#rows >= this.limits.maxRows) {
      throw new Error(`${where} is past the limit of ${this.limits.maxRows} rows`);
    }
    if (!this.#firstDataLine) this.#firstDataLine = lineNumber;
    this.#reserve(columns - 1);
    for (let c = 0; c < columns - 1; c++) {
      if (!NUMBER.test(fields[c])) {
        const what = fields[c] === "" ? "is empty" : "is not a number";
        throw new Error(`${where} column ${c + 1} ${what}`);
      }
      this.#values[this.#valueCount++] = Number(fields[c]);
    }
    const label = fields[columns - 1];
    if (!/^\+?\d+$/.test(label) || Number(label) > MAX_LABEL) {
      throw new Error(
        `${where} column ${columns}: the label is not an integer in 0..${MAX_LABEL}`,
      );
    }
    if (this.#rows === this.#labels.length) this.#labels = grow(this.#labels, this.#rows * 2);
    this.#labels[this.#rows++] = Number(label);
  }

  finish(): CsvTable {
    if (this.#rows === 0) throw new Error(`CSV file "${this.fileName}" has no data rows`);
    const labels = this.#labels.subarray(0, this.#rows);
    const classes = labels.reduce((max, label) => Math.max(max, label), 0) + 1;
    if (classes < 2) {
      throw new Error(
        `CSV file "${this.fileName}" has only label 0, expected at least 2 classes (labels 0 and 1)`,
      );
    }
    return {
      header: this.#header,
      features: this.#columns - 1,
      classes,
      examples: {
        count: this.#rows,
        inputs: this.#values.slice(0, this.#valueCount),
        labels: labels.slice(),
      },
    };
  }

  /** Room for `more` values, doubling the array as it fills. */
  #reserve(more: number): void {
    const needed = this.#valueCount + more;
    if (needed > this.#values.length) {
      this.#values = grow(this.#values, Math.max(needed, this.#values.length * 2));
    }
  }
}

function grow<T extends Float32Array | Uint8Array>(array: T, length: number): T {
  const larger = new (array.constructor as new (length: number) => T)(length);
  larger.set(array);
  return larger;
}

/** Parses CSV text held in memory (tests, small files). */
export function parseCsv(
  text: string,
  fileName: string,
  limits: CsvLimits = DEFAULT_CSV_LIMITS,
): CsvTable {
  const reader = new CsvReader(fileName, limits);
  for (const line of text.split(/\r?\n/)) reader.line(line);
  return reader.finish();
}

/** Parses CSV bytes from a stream, one line at a time. */
export async function parseCsvStream(
  stream: ReadableStream<Uint8Array>,
  fileName: string,
  limits: CsvLimits = DEFAULT_CSV_LIMITS,
): Promise<CsvTable> {
  const reader = new CsvReader(fileName, limits);
  const decoder = new TextDecoder();
  let pending = "";
  for await (const bytes of stream) {
    pending += decoder.decode(bytes, { stream: true });
    let start = 0;
    for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n", start)) {
      reader.line(pending.slice(start, end).replace(/\r$/, ""));
      start = end + 1;
    }
    pending = pending.slice(start);
    if (pending.length > limits.maxLineLength) {
      throw new Error(
        `CSV file "${fileName}" has a line longer than ${limits.maxLineLength} characters`,
      );
    }
  }
  pending += decoder.decode();
  if (pending !== "") reader.line(pending.replace(/\r$/, ""));
  return reader.finish();
}

function unquote(field: string): string {
  const trimmed = field.trim();
  const quoted = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"');
  return quoted ? trimmed.slice(1, -1).trim() : trimmed;
}
