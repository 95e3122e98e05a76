import assert from "node:assert/strict";
import { duplicateKeyIssue } from "./duplicate_keys.ts";

Deno.test("duplicateKeyIssue() names a key given twice in one object, with its path", () => {
  assert.deepEqual(duplicateKeyIssue('{"epochs": 5, "epochs": 5000}'), {
    path: "epochs",
    message: 'Field "epochs" is given twice in one object, at "epochs"; give it once',
  });
  const nested = '{"model": {"layers": [{"units": 8}, {"units": 8, "units": 9}]}}';
  assert.equal(duplicateKeyIssue(nested)?.path, "model.layers.1.units");
  // Escapes decode before comparing: "\\u0061" is "a".
  assert.equal(duplicateKeyIssue('{"a": 1, "\\u0061": 2}')?.path, "a");
  assert.equal(duplicateKeyIssue('{"space": {"x": 1, "x": 2}}', "base")?.path, "base.space.x");
});

Deno.test("duplicateKeyIssue() accepts the same key in different objects and look-alike strings", () => {
  assert.equal(duplicateKeyIssue('[{"a": 1}, {"a": 2}]'), undefined);
  assert.equal(duplicateKeyIssue('{"a": {"a": {"a": 1}}}'), undefined);
  assert.equal(duplicateKeyIssue('{"name": "a", "b": "a: \\"a\\"", "c": ["a", "a"]}'), undefined);
});

Deno.test("duplicateKeyIssue() scans 1 MB of nesting without the call stack", () => {
  const depth = 500_000;
  const text = "[".repeat(depth) + '{"a":1,"a":2}' + "]".repeat(depth);
  const issue = duplicateKeyIssue(text);
  assert.match(issue?.message ?? "", /Field "a" is given twice/);
  assert.ok((issue?.message.length ?? Infinity) < 200, "the path is shortened");
});
