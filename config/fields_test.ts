import assert from "node:assert/strict";
import { z } from "zod";
import { strictObject } from "./fields.ts";
import { parseRunConfig } from "./schema.ts";

Deno.test("strictObject() notes the default type only for an object that left its type out", () => {
  const schema = strictObject(
    "adam optimizer (the default type)",
    { type: z.literal("adam").optional(), lr: z.number().optional() },
    '{"type": "adam"}',
  );
  const message = (input: unknown) => schema.safeParse(input).error?.issues[0].message;
  assert.equal(
    message({ momentum: 0.9 }),
    'Unknown field "momentum" in adam optimizer (the default type); allowed: type, lr',
  );
  assert.equal(
    message({ type: "adam", momentum: 0.9 }),
    'Unknown field "momentum" in adam optimizer; allowed: type, lr',
  );
});

Deno.test("an explicit Adam optimizer with momentum is not called the default type", () => {
  const parsed = parseRunConfig({ optimizer: { type: "adam", momentum: 0.9 } });
  assert.ok(!parsed.ok);
  assert.match(parsed.issues[0].message, /^Unknown field "momentum" in adam optimizer; allowed/);
});
