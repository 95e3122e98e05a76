import assert from "node:assert/strict";
import { parseCsv, parseCsvStream } from "./csv.ts";

Deno.test("parseCsv() reads features as f32 and the last column as the label", () => {
  const table = parseCsv("0.5,-1,2e-1,1\n3,4,.5,0\n", "t.csv");
  assert.equal(table.header, null);
  assert.equal(table.features, 3);
  assert.equal(table.classes, 2);
  assert.equal(table.examples.count, 2);
  assert.ok(table.examples.inputs instanceof Float32Array);
  assert.deepEqual([...table.examples.inputs], [0.5, -1, Math.fround(0.2), 3, 4, 0.5]);
  assert.deepEqual([...table.examples.labels], [1, 0]);
});

Deno.test("parseCsv() takes a non-numeric first row as the header and skips blank lines", () => {
  const table = parseCsv('"x1", x2 ,label\r\n\r\n1,2,3\r\n4,5,0\r\n', "t.csv");
  assert.deepEqual(table.header, ["x1", "x2", "label"]);
  assert.equal(table.examples.count, 2);
  assert.equal(table.classes, 4);
  assert.deepEqual([...table.examples.labels], [3, 0]);
});

Deno.test("parseCsv() reports a bad value by line and column, never quoting the file", () => {
  assert.throws(
    () => parseCsv("a,b,label\n1,2,0\n\n1,SECRET,1\n", "t.csv"),
    (error: Error) =>
      /"t.csv" line 4 column 2 is not a number$/.test(error.message) &&
      !error.message.includes("SECRET"),
  );
  assert.throws(() => parseCsv("1,2,0\n1,,1\n", "t.csv"), /line 2 column 2 is empty/);
  assert.throws(() => parseCsv("1,foo,0\n", "t.csv"), /line 1 column 2 is not a number/);
});

Deno.test("parseCsv() rejects labels that are not integers in 0..255", () => {
  for (const label of ["1.5", "-1", "256", "x"]) {
    assert.throws(
      () => parseCsv(`1,2,0\n1,2,${label}\n`, "t.csv"),
      /line 2 column 3: the label is not an integer in 0..255/,
    );
  }
});

Deno.test("parseCsv() stops at its row and column limits, naming them", () => {
  const limits = { maxRows: 2, maxColumns: 3, maxLineLength: 100 };
  assert.throws(
    () => parseCsv("1,0\n2,1\n3,0\n", "t.csv", limits),
    /"t.csv" line 3 is past the limit of 2 rows/,
  );
  assert.throws(
    () => parseCsv("1,2,3,0\n", "t.csv", limits),
    /line 1 has 4 fields, over the limit of 3/,
  );
});

Deno.test("parseCsvStream() reads lines split across chunks, CRLF and a last line without newline", async () => {
  const text = "x,y,label\r\n0.5,1,1\r\n2,-3,0\n4,5,1";
  const bytes = new TextEncoder().encode(text);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 3) controller.enqueue(bytes.slice(i, i + 3));
      controller.close();
    },
  });
  const table = await parseCsvStream(stream, "t.csv");
  assert.deepEqual(table.header, ["x", "y", "label"]);
  assert.deepEqual([...table.examples.inputs], [0.5, 1, 2, -3, 4, 5]);
  assert.deepEqual([...table.examples.labels], [1, 0, 1]);
});

Deno.test("parseCsvStream() refuses a line longer than its limit before holding more of it", async () => {
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new Uint8Array(4096).fill(0x31)); // "1111…", never a newline
    },
  });
  const limits = { maxRows: 10, maxColumns: 10, maxLineLength: 100_000 };
  await assert.rejects(
    () => parseCsvStream(endless, "t.csv", limits),
    /"t.csv" has a line longer than 100000 characters/,
  );
});

Deno.test("parseCsv() reports ragged rows against the first row", () => {
  assert.throws(
    () => parseCsv("1,2,0\n1,2,3,0\n", "t.csv"),
    /"t.csv" line 2 has 4 fields, expected 3 like line 1/,
  );
  assert.throws(
    () => parseCsv("a,b,c\n1,2\n", "t.csv"),
    /line 2 has 2 fields, expected 3 like the header/,
  );
});

Deno.test("parseCsv() rejects files with no rows, no feature column or a single class", () => {
  assert.throws(() => parseCsv("a,b\n\n", "t.csv"), /"t.csv" has no data rows/);
  assert.throws(() => parseCsv("1\n0\n", "t.csv"), /line 1 has 1 column, expected at least 2/);
  assert.throws(() => parseCsv("1,0\n2,0\n", "t.csv"), /only label 0, expected at least 2 classes/);
});
