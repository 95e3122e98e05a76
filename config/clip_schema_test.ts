import assert from "node:assert/strict";
import { parseRunConfig } from "./schema.ts";

function clippingOf(input: unknown) {
  const result = parseRunConfig({ gradientClipping: input });
  if (!result.ok) throw new Error(result.issues.map((issue) => issue.message).join("; "));
  return result.config.gradientClipping;
}

function messages(input: unknown): string[] {
  const result = parseRunConfig({ gradientClipping: input });
  assert.ok(!result.ok, `expected ${JSON.stringify(input)} to be refused`);
  return result.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

Deno.test("gradientClipping is left out by default, and null also means no clipping", () => {
  assert.equal(clippingOf(undefined), undefined);
  assert.equal(clippingOf(null), null);
});

Deno.test("gradientClipping by norm takes torch's default norm type 2, or inf", () => {
  assert.deepEqual(clippingOf({ type: "norm", maxNorm: 1 }), {
    type: "norm",
    maxNorm: 1,
    normType: 2,
  });
  assert.equal(
    (clippingOf({ type: "norm", maxNorm: 1, normType: "inf" }) as { normType: unknown })
      .normType,
    "inf",
  );
  assert.deepEqual(clippingOf({ type: "value", clipValue: 0.5 }), {
    type: "value",
    clipValue: 0.5,
  });
});

Deno.test("gradientClipping refuses what torch has no meaning for, naming the field", () => {
  assert.deepEqual(messages({ type: "norm" }), [
    "gradientClipping.maxNorm: Max norm is required: a finite number greater than 0",
  ]);
  assert.deepEqual(messages({ type: "norm", maxNorm: 1, normType: 0.5 }), [
    "gradientClipping.normType: Norm type must be at least 1, got 0.5",
  ]);
  assert.deepEqual(messages({ type: "norm", maxNorm: 1, normType: "max" }), [
    'gradientClipping.normType: Norm type must be a number of at least 1 or "inf", got "max"',
  ]);
  assert.deepEqual(messages({ type: "value", clipValue: 0 }), [
    "gradientClipping.clipValue: Clip value must be greater than 0, got 0",
  ]);
  assert.deepEqual(messages({ type: "clamp" }), [
    'gradientClipping.type: Gradient clipping type must be one of norm, value, got "clamp"',
  ]);
  assert.match(messages(1)[0], /\(or null for none\), got 1/);
  assert.match(messages({ type: "value", clipValue: 1, maxNorm: 1 })[0], /Unknown field "maxNorm"/);
});
