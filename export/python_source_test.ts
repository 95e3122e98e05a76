import assert from "node:assert/strict";
import { keepFeatures, pythonLiteral } from "./python_source.ts";

const SOURCE = [
  "a = 1",
  "# when: penalty",
  "b = 2",
  "    # when: clipping, scheduler",
  "    c = 3",
  "    # end when",
  "# end when",
  "# when: not penalty",
  "d = 4",
  "# end when",
].join("\n");

Deno.test("keepFeatures() keeps a block when any of its features is on, nested blocks too", () => {
  assert.equal(keepFeatures(SOURCE, new Set(["penalty", "scheduler"])), "a = 1\nb = 2\n    c = 3");
  assert.equal(keepFeatures(SOURCE, new Set(["penalty"])), "a = 1\nb = 2");
  // Off outside, so nothing inside is kept whatever its own features say.
  assert.equal(keepFeatures(SOURCE, new Set(["clipping"])), "a = 1\nd = 4");
});

Deno.test("keepFeatures() names the section whose markers do not pair up", () => {
  assert.throws(() => keepFeatures("# when: x\na = 1", new Set(), "model"), /section model/);
  assert.throws(() => keepFeatures("a = 1\n# end when", new Set(), "model"), /model line 2/);
});

Deno.test("pythonLiteral() writes True, False, None and breaks what passes the width", () => {
  assert.equal(
    pythonLiteral({ a: true, b: false, c: null, d: [1, 1e-8, "x"], e: undefined }),
    '{"a": True, "b": False, "c": None, "d": [1, 1e-8, "x"]}',
  );
  const broken = pythonLiteral({ long: "x".repeat(30), more: { inner: "y".repeat(30) } }, 0, 40);
  assert.equal(
    broken,
    [
      "{",
      `    "long": "${"x".repeat(30)}",`,
      `    "more": {`,
      `        "inner": "${"y".repeat(30)}",`,
      "    },",
      "}",
    ].join("\n"),
  );
});
