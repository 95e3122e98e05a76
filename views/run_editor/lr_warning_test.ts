import assert from "node:assert/strict";
import { lrWarning } from "./lr_warning.ts";

Deno.test("lrWarning() warns of Adam at lr 1000 and of a rate too small to learn", () => {
  assert.equal(
    lrWarning("adam", "1000"),
    "Adam usually trains with a learning rate from 0.000001 to 0.1; 1000 is likely to diverge",
  );
  assert.match(lrWarning("adamw", "1e-7") ?? "", /1e-7 is likely to learn very little$/);
  assert.equal(lrWarning("adam", "0.001"), undefined);
});

Deno.test("lrWarning() lets SGD take rates up to 10, and ignores what is not a number", () => {
  assert.equal(lrWarning("sgd", "5"), undefined);
  assert.match(lrWarning("sgd", "50") ?? "", /^SGD usually .* 50 is likely to diverge$/);
  assert.equal(lrWarning("rmsprop", "abc"), undefined, "the field's error says so instead");
  assert.equal(lrWarning("rmsprop", ""), undefined);
});
