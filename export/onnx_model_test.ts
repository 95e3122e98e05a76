import assert from "node:assert/strict";
import { parseRunConfig, type RunConfigInput } from "../config/schema.ts";
import type { NamedTensor } from "../engine/backend.ts";
import { Mlp } from "../engine/cpu/mlp.ts";
import { type InputTransform, transformInput } from "../engine/data/dataset.ts";
import { Rng } from "../engine/random.ts";
import type { RunConfig } from "../engine/spec.ts";
import { findPython, runPython } from "../tests/python_helpers.ts";
import { onnxModel, OPSET } from "./onnx_model.ts";
import { ModelProto } from "./onnx_proto.ts";

const ort = await import("onnxruntime-node").catch(() => null);
const onnxPython = await findPython(["onnx"]);

const PIXELS: InputTransform = { scale: 1 / 255 / 0.5, shift: -1 };

function config(input: RunConfigInput): RunConfig {
  const parsed = parseRunConfig(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.config;
}

/** Every activation, batch norm on some layers, trained-looking (non-default) BN statistics. */
const EVERY_LAYER = config({
  model: {
    layers: [
      { units: 7, activation: "relu", batchNorm: true, dropout: 0.3 },
      { units: 6, activation: "sigmoid" },
      { units: 5, activation: "tanh", batchNorm: true },
      { units: 5, activation: "leaky_relu" },
      { units: 4, activation: "gelu", batchNorm: true },
      { units: 4, activation: "none" },
    ],
  },
});

function model(config: RunConfig, features: number, outputs: number): Mlp {
  const rng = new Rng(7);
  const mlp = new Mlp({ features, layers: config.model.layers, outputs }, "default", rng);
  for (const buffer of mlp.buffers) {
    if (buffer.name.endsWith("running_mean")) buffer.data.forEach((_, i, a) => a[i] = rng.normal());
    if (buffer.name.endsWith("running_var")) {
      buffer.data.forEach((_, i, a) => a[i] = 0.5 + rng.uniform());
    }
  }
  return mlp;
}

function state(mlp: Mlp): NamedTensor[] {
  return [...mlp.parameters, ...mlp.buffers];
}

function decode(bytes: Uint8Array) {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: false }) as {
    ir_version: number;
    opset_import: { version: number }[];
    metadata_props: { key: string; value: string }[];
    graph: {
      node: { op_type: string; name: string; input: string[] }[];
      initializer: { name: string; dims?: number[] }[];
      input: { name: string }[];
      output: { name: string }[];
    };
  };
}

/** Raw pixel rows 0..255 and what the CPU reference outputs for them in evaluation mode. */
function reference(mlp: Mlp, rows: number, transform: InputTransform) {
  const features = mlp.shape.features;
  const rng = new Rng(3);
  const raw = Float32Array.from({ length: rows * features }, () => rng.int(256));
  const inputs = raw.map((value) => transformInput(value, transform));
  const logits = mlp.forward(inputs, rows, { training: false }).slice();
  return { raw, logits };
}

Deno.test("onnxModel() writes Gemm, BatchNormalization and each activation's nodes in order", () => {
  const mlp = model(EVERY_LAYER, 12, 3);
  const onnx = decode(
    onnxModel({
      config: EVERY_LAYER,
      state: state(mlp),
      transform: PIXELS,
      version: "9.9.9",
      runId: 4,
    }),
  );
  assert.equal(onnx.ir_version, 7);
  assert.deepEqual(onnx.opset_import.map((o) => o.version), [OPSET]);
  const ops = onnx.graph.node.map((node) => node.op_type);
  assert.deepEqual(ops, [
    "Mul",
    "Add",
    "Gemm",
    "BatchNormalization",
    "Relu",
    "Gemm",
    "Sigmoid",
    "Gemm",
    "BatchNormalization",
    "Tanh",
    "Gemm",
    "LeakyRelu",
    "Gemm",
    "BatchNormalization",
    "Mul",
    "Erf",
    "Add",
    "Mul",
    "Mul",
    "Gemm",
    "Gemm",
    "Softmax",
  ]);
  assert.deepEqual(onnx.graph.input.map((v) => v.name), ["input"]);
  assert.deepEqual(onnx.graph.output.map((v) => v.name), ["logits", "probabilities"]);
  const names = onnx.graph.initializer.map((tensor) => tensor.name);
  for (const tensor of state(mlp)) {
    // Dropout and the batch counter play no part in evaluation.
    assert.equal(
      names.includes(tensor.name),
      !tensor.name.endsWith("num_batches_tracked"),
      tensor.name,
    );
  }
  const metadata = Object.fromEntries(onnx.metadata_props.map((p) => [p.key, p.value]));
  assert.equal(metadata["ajuste.run"], "4");
  assert.deepEqual(JSON.parse(metadata["ajuste.config"]), EVERY_LAYER);
});

Deno.test("onnxModel() leaves out an identity normalisation and ends one binary unit in Sigmoid", () => {
  const binary = config({ loss: "bce_with_logits", model: { layers: [{ units: 3 }] } });
  const mlp = model(binary, 10, 1);
  const onnx = decode(
    onnxModel({
      config: binary,
      state: state(mlp),
      transform: { scale: 1, shift: 0 },
      version: "0",
    }),
  );
  assert.deepEqual(onnx.graph.node.map((node) => node.op_type), [
    "Gemm",
    "Relu",
    "Gemm",
    "Sigmoid",
  ]);
  assert.equal(onnx.graph.node[0].input[0], "input");
});

Deno.test("onnxModel() names a weight the config needs and the state lacks", () => {
  const mlp = model(EVERY_LAYER, 12, 3);
  const partial = state(mlp).filter((tensor) => tensor.name !== "hidden.2.norm.running_var");
  assert.throws(
    () => onnxModel({ config: EVERY_LAYER, state: partial, transform: PIXELS, version: "0" }),
    /The weights have no "hidden.2.norm.running_var"/,
  );
});

Deno.test({
  name: "onnxModel() passes onnx.checker.check_model with full_check (Debian's python3-onnx)",
  ignore: onnxPython === null,
  async fn() {
    const mlp = model(EVERY_LAYER, 12, 3);
    const path = await Deno.makeTempFile({ suffix: ".onnx" });
    try {
      await Deno.writeFile(
        path,
        onnxModel({ config: EVERY_LAYER, state: state(mlp), transform: PIXELS, version: "0" }),
      );
      const result = await runPython(onnxPython!, [
        "-c",
        "import onnx, sys\nonnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)",
        path,
      ]);
      assert.equal(result.code, 0, result.stderr);
    } finally {
      await Deno.remove(path);
    }
  },
});

Deno.test({
  name: "onnxModel() in onnxruntime-node gives the CPU reference's evaluation outputs",
  ignore: ort === null,
  async fn() {
    for (
      const [name, spec, outputs] of [["every layer", EVERY_LAYER, 3], [
        "binary",
        config({ loss: "bce", model: { layers: [{ units: 6, batchNorm: true }] } }),
        1,
      ]] as const
    ) {
      const mlp = model(spec, 12, outputs);
      const rows = 9;
      const { raw, logits } = reference(mlp, rows, PIXELS);
      const session = await ort!.InferenceSession.create(
        onnxModel({ config: spec, state: state(mlp), transform: PIXELS, version: "0" }),
      );
      try {
        const result = await session.run({ input: new ort!.Tensor("float32", raw, [rows, 12]) });
        const got = result.logits.data as Float32Array;
        const probabilities = result.probabilities.data as Float32Array;
        // The graph multiplies in f32 by the f32-rounded scale where the reference rounds once
        // from f64, and sums in its own order: the two agree to a few f32 roundings.
        for (let i = 0; i < logits.length; i++) {
          assert.ok(
            Math.abs(got[i] - logits[i]) <= 1e-5 * Math.abs(logits[i]) + 1e-5,
            `${name} logit ${i}: ${got[i]} vs ${logits[i]}`,
          );
        }
        for (let r = 0; r < rows; r++) {
          const row = Array.from(logits.subarray(r * outputs, (r + 1) * outputs));
          const expected = outputs === 1
            ? [1 / (1 + Math.exp(-row[0]))]
            : row.map((z) => Math.exp(z) / row.reduce((sum, y) => sum + Math.exp(y), 0));
          expected.forEach((p, k) =>
            assert.ok(
              Math.abs(probabilities[r * outputs + k] - p) <= 1e-5,
              `${name} probability ${r},${k}`,
            )
          );
        }
      } finally {
        await session.release();
      }
    }
  },
});
