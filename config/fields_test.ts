import assert from "node:assert/strict";
import { z } from "zod";
import { displayName, strictObject } from "./fields.ts";
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

Deno.test("displayName() refuses NUL, control and bidirectional characters, saying which and where", () => {
  const name = displayName("Name", 1, 100);
  assert.equal(name.parse("résumé 🧠 run"), "résumé 🧠 run");
  const issue = (input: string) => name.safeParse(input).error?.issues[0].message;
  assert.equal(issue("a\u0000b"), "Name must not contain U+0000 (NUL), found at character 2");
  assert.equal(
    issue("🧠good\u202Egnp.exe"),
    "Name must not contain U+202E (RIGHT-TO-LEFT OVERRIDE), found at character 6",
  );
  assert.equal(
    issue("x\u2066y"),
    "Name must not contain U+2066 (LEFT-TO-RIGHT ISOLATE), found at character 2",
  );
  assert.equal(
    issue("bell\u0007"),
    "Name must not contain U+0007 (a control character), found at character 5",
  );
});
