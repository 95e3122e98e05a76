import assert from "node:assert/strict";
import { parseCsv } from "./csv.ts";

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

Deno.test("parseCsv() reports a bad value with its line, column and the value", () => {
  assert.throws(
    () => parseCsv("a,b,label\n1,2,0\n\n1,abc,1\n", "t.csv"),
    /"t.csv" line 4 column 2: "abc" is not a number/,
  );
  assert.throws(
    () => parseCsv("1,2,0\n1,,1\n", "t.csv"),
    /line 2 column 2: "" is not a number/,
  );
  assert.throws(
    () => parseCsv("1,foo,0\n", "t.csv"),
    /line 1 column 2: "foo" is not a number/,
  );
});

Deno.test("parseCsv() rejects labels that are not integers in 0..255", () => {
  assert.throws(() => parseCsv("1,2,0\n1,2,1.5\n", "t.csv"), /line 2 column 3: label "1.5"/);
  assert.throws(() => parseCsv("1,2,0\n1,2,-1\n", "t.csv"), /line 2 column 3: label "-1"/);
  assert.throws(
    () => parseCsv("1,2,0\n1,2,256\n", "t.csv"),
    /label "256" is not an integer in 0..255/,
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
