import assert from "node:assert/strict";
import { OptimizerFields } from "./optimizer_fields.tsx";

async function render(values: Record<string, string>): Promise<string> {
  return (await (<OptimizerFields state={{ values, issues: [] }} />).toString()).toString();
}

Deno.test("OptimizerFields warns beside the learning rate of Adam at lr 1000, not at 0.001", async () => {
  const wild = await render({ "optimizer.type": "adam", "optimizer.lr": "1000" });
  assert.match(
    wild,
    /<p class="field-warning" id="field-optimizer-lr-warning">Adam usually trains with a learning rate from 0.000001 to 0.1; 1000 is likely to diverge<\/p>/,
  );
  assert.match(wild, /aria-describedby="[^"]*field-optimizer-lr-warning/, "read with the field");
  const usual = await render({ "optimizer.type": "adam", "optimizer.lr": "0.001" });
  assert.ok(!usual.includes("field-warning"));
});
