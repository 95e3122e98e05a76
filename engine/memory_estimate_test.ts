import assert from "node:assert/strict";
import { parseRunConfig } from "../config/schema.ts";
import { estimateMemory } from "./memory_estimate.ts";

Deno.test("estimateMemory() counts early stopping's three copies of the weights", () => {
  const input = { model: { layers: [{ units: 10, batchNorm: true }] } };
  const plain = parseRunConfig(input);
  const stopping = parseRunConfig({ ...input, earlyStopping: {} });
  assert.ok(plain.ok && stopping.ok);
  const data = { features: 4, classes: 3, rows: 100, trainRows: 80, bytesPerValue: 1 as const };
  // 4·10 + 10 + 2·10 (batch norm) + 10·3 + 3 = 103 parameters, 20 running statistics.
  const extra = estimateMemory(stopping.config, data).bytes.model -
    estimateMemory(plain.config, data).bytes.model;
  assert.equal(extra, 3 * (103 + 20) * 4);
});

Deno.test("estimateMemory() counts layer statistics' copy of the hidden weights", () => {
  const input = { model: { layers: [{ units: 10 }, { units: 6 }] } };
  const on = parseRunConfig(input);
  const off = parseRunConfig({ ...input, layerStats: false });
  assert.ok(on.ok && off.ok);
  const data = { features: 4, classes: 3, rows: 100, trainRows: 80, bytesPerValue: 1 as const };
  const extra = estimateMemory(on.config, data).bytes.model -
    estimateMemory(off.config, data).bytes.model;
  // Hidden weights 4·10 + 10·6; the output layer's are not copied.
  assert.equal(extra, (40 + 60) * 4);
});
