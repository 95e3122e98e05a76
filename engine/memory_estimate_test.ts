import assert from "node:assert/strict";
import { parseRunConfig } from "../config/schema.ts";
import { FastCpuBackend } from "./cpu/fast_backend.ts";
import type { CpuSession } from "./cpu/session.ts";
import { SparseInputLayer } from "./cpu/sparse_input.ts";
import { WasmGemm } from "./cpu/wasm_gemm.ts";
import { estimateMemory, optimizerStagingBytes } from "./memory_estimate.ts";

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

Deno.test("estimateMemory() counts the WebAssembly memory the fast CPU backend grows to", async () => {
  const parsed = parseRunConfig({
    model: { layers: [{ units: 300 }, { units: 40 }] },
    batch: { mode: "minibatch", size: 200 },
    layerStats: false,
  });
  assert.ok(parsed.ok);
  const rows = 600;
  const examples = (count: number) => ({
    count,
    inputs: new Uint8Array(count * 100).map((_, i) => (i * 37) % 256),
    labels: new Uint8Array(count).map((_, i) => i % 10),
  });
  const data = {
    features: 100,
    classes: 10,
    transform: { scale: 1 / 255, shift: 0 },
    train: examples(rows),
    dev: examples(100),
    test: examples(100),
  };
  const gemm = new WasmGemm();
  const session = await new FastCpuBackend(() => gemm, "wasm").createSession(parsed.config, data);
  try {
    await session.trainEpoch(0, { evaluate: ["dev"] });
    await session.evaluate("test");
    // The estimate counts evaluation chunks of up to every row at once (here all 600 train rows).
    await session.evaluate("train");
  } finally {
    session.dispose();
  }
  const shape = {
    features: 100,
    classes: 10,
    rows: 800,
    trainRows: rows,
    bytesPerValue: 1 as const,
  };
  const { kernels } = estimateMemory(parsed.config, shape).bytes;
  // Adam stages its largest tensor (100·300 weights) and gradient, plus a page; the sparse first
  // layer holds its lists for chunks of up to every row at once too, the gather their raw bytes
  // (plus a page), and each hidden block's memory a partly used page.
  const sparse = SparseInputLayer.bytesFor(rows, 100, 300);
  const gather = rows * 100 + 65536;
  const products = kernels - optimizerStagingBytes(100 * 300) - sparse - gather - 2 * 65536;
  assert.ok(gemm.bytes > 65536, `the products grew the memory (${gemm.bytes} bytes)`);
  assert.ok(products >= gemm.bytes, `${products} counted for ${gemm.bytes} held`);
  assert.ok(products <= 2 * gemm.bytes, `${products} counted for ${gemm.bytes} held`);
});

Deno.test("estimateMemory() counts the WebAssembly optimizers' memory: every state's place and the staging", async () => {
  const examples = (count: number) => ({
    count,
    inputs: new Uint8Array(count * 100).map((_, i) => (i * 37) % 256),
    labels: new Uint8Array(count).map((_, i) => i % 10),
  });
  const data = {
    features: 100,
    classes: 10,
    transform: { scale: 1 / 255, shift: 0 },
    train: examples(200),
    dev: examples(50),
    test: examples(50),
  };
  const shape = {
    features: 100,
    classes: 10,
    rows: 300,
    trainRows: 200,
    bytesPerValue: 1 as const,
  };
  // Without momentum and uncentered: the places kept for a buffer a scheduler may start, and
  // for RMSprop's grad_avg, are what an estimate of the torch state alone would miss.
  for (
    const optimizer of [{ type: "sgd", lr: 0.1 }, { type: "rmsprop", lr: 0.01 }, { type: "adam" }]
  ) {
    const parsed = parseRunConfig({
      model: { layers: [{ units: 300 }] },
      optimizer,
      layerStats: false,
    });
    assert.ok(parsed.ok);
    const session = await new FastCpuBackend(() => new WasmGemm(), "wasm")
      .createSession(parsed.config, data) as CpuSession;
    session.dispose();
    // The model's parameters and gradients live in the optimizer's memory.
    const held = session.model.parameters[0].data.buffer.byteLength;
    const { model, optimizer: state, kernels } = estimateMemory(parsed.config, shape).bytes;
    const parameters = 100 * 300 + 300 + 300 * 10 + 10;
    const counted = 2 * parameters * 4 + state + optimizerStagingBytes(100 * 300);
    assert.ok(model >= 2 * parameters * 4 && kernels >= optimizerStagingBytes(100 * 300));
    assert.ok(counted >= held, `${optimizer.type}: ${counted} counted for ${held} held`);
    assert.ok(counted <= 2 * held, `${optimizer.type}: ${counted} counted for ${held} held`);
  }
});
