/**
 * A trained run as an ONNX model (opset 13, IR version 7): the network in evaluation mode, as
 * `model.eval()` runs it in PyTorch.
 *
 *     input [batch × features]: raw features — pixels 0..255 for image datasets, the file's or
 *           generator's values otherwise
 *     Mul(scale), Add(shift)   the run's ToTensor + Normalize as one multiply-add (left out where
 *                              it is the identity)
 *     per hidden layer: Gemm (x·Wᵀ + b) → BatchNormalization (running statistics, ε 1e-5) →
 *           Relu | Sigmoid | Tanh | LeakyRelu(0.01) | GELU as 0.5·x·(1 + Erf(x/√2)) (opset 13 has
 *           no Gelu); dropout is the identity in evaluation and has no node
 *     output Gemm → `logits` [batch × units]: the output layer's values (before BCE's sigmoid)
 *     `probabilities` [batch × units]: Softmax over the classes, or with one unit (a binary loss
 *           on two classes) Sigmoid, the probability of class 1
 *
 * Initializers keep the names of ajuste's weights file (`hidden.0.linear.weight`, …). The run
 * config, ajuste's version and the run id ride along as metadata props.
 *
 * @module
 */

import type { NamedTensor } from "../engine/backend.ts";
import type { InputTransform } from "../engine/data/dataset.ts";
import { inputTransform } from "../engine/data/transform.ts";
import { decodeSafetensors, METADATA_KEYS } from "../engine/safetensors.ts";
import type { Activation, RunConfig } from "../engine/spec.ts";
import { ATTRIBUTE_TYPE, DATA_TYPE, ModelProto } from "./onnx_proto.ts";
import { isPixelDataset } from "./script_features.ts";

export const OPSET = 13;
const IR_VERSION = 7;
/** torch.nn.BatchNorm1d's default eps, which ajuste trains with. */
const BATCH_NORM_EPS = 1e-5;
/** torch.nn.LeakyReLU's default slope, which ajuste trains with. */
const LEAKY_RELU_SLOPE = 0.01;

export interface OnnxModelOptions {
  config: RunConfig;
  /** The trained weights, named and shaped as in the run's safetensors file. */
  state: NamedTensor[];
  /** The input normalisation the run trained with (`engine/data/transform.ts`). */
  transform: InputTransform;
  version: string;
  runId?: number;
}

interface Attribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
}

interface Node {
  op_type: string;
  name: string;
  input: string[];
  output: string[];
  attribute?: Attribute[];
}

/** Nodes and initializers, appended in topological order. */
class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: object[] = [];
  readonly #constants = new Map<string, string>();

  tensor(name: string, dims: number[], data: Float32Array): string {
    const bytes = new Uint8Array(data.length * 4);
    const view = new DataView(bytes.buffer);
    data.forEach((value, i) => view.setFloat32(i * 4, value, true));
    this.initializers.push({ name, dims, data_type: DATA_TYPE.FLOAT, raw_data: bytes });
    return name;
  }

  /** A float scalar initializer, shared by every node that needs the same constant. */
  constant(name: string, value: number): string {
    const known = this.#constants.get(name);
    if (known) return known;
    this.#constants.set(name, this.tensor(name, [], Float32Array.of(value)));
    return name;
  }

  node(op: string, name: string, input: string[], attribute?: Attribute[]): string {
    this.nodes.push({ op_type: op, name, input, output: [name], attribute });
    return name;
  }
}

function floatAttribute(name: string, f: number): Attribute {
  return { name, type: ATTRIBUTE_TYPE.FLOAT, f };
}

function intAttribute(name: string, i: number): Attribute {
  return { name, type: ATTRIBUTE_TYPE.INT, i };
}

function activationNode(graph: GraphBuilder, kind: Activation, x: string, name: string): string {
  switch (kind) {
    case "relu":
      return graph.node("Relu", name, [x]);
    case "sigmoid":
      return graph.node("Sigmoid", name, [x]);
    case "tanh":
      return graph.node("Tanh", name, [x]);
    case "leaky_relu":
      return graph.node("LeakyRelu", name, [x], [floatAttribute("alpha", LEAKY_RELU_SLOPE)]);
    case "gelu": {
      // torch.nn.GELU() (approximate="none"): x·Φ(x) = 0.5·x·(1 + erf(x/√2)).
      const scaled = graph.node("Mul", `${name}.scaled`, [
        x,
        graph.constant("gelu.inv_sqrt2", Math.SQRT1_2),
      ]);
      const erf = graph.node("Erf", `${name}.erf`, [scaled]);
      const cdf = graph.node("Add", `${name}.one_plus_erf`, [erf, graph.constant("gelu.one", 1)]);
      const product = graph.node("Mul", `${name}.x_times`, [x, cdf]);
      return graph.node("Mul", name, [product, graph.constant("gelu.half", 0.5)]);
    }
    case "none":
      return x;
  }
}

function stateTensor(state: Map<string, NamedTensor>, name: string): NamedTensor {
  const tensor = state.get(name);
  if (!tensor) {
    throw new Error(`The weights have no "${name}", which the run config's model needs`);
  }
  return tensor;
}

function valueInfo(name: string, width: number, doc: string) {
  return {
    name,
    doc_string: doc,
    type: {
      tensor_type: {
        elem_type: DATA_TYPE.FLOAT,
        shape: { dim: [{ dim_param: "batch" }, { dim_value: width }] },
      },
    },
  };
}

/** The ONNX file (serialised `ModelProto`) of a trained run. */
export function onnxModel(options: OnnxModelOptions): Uint8Array {
  const { config, transform } = options;
  const state = new Map(options.state.map((tensor) => [tensor.name, tensor]));
  const graph = new GraphBuilder();
  const initializer = (name: string) => {
    const tensor = stateTensor(state, name);
    return graph.tensor(name, tensor.shape, tensor.data);
  };
  const output = stateTensor(state, "output.weight");
  const firstWeight = config.model.layers.length > 0 ? "hidden.0.linear.weight" : "output.weight";
  const features = stateTensor(state, firstWeight).shape[1];
  const units = output.shape[0];

  let x = "input";
  if (transform.scale !== 1) {
    x = graph.node("Mul", "input.scaled", [x, graph.constant("input.scale", transform.scale)]);
  }
  if (transform.shift !== 0) {
    x = graph.node("Add", "input.normalized", [x, graph.constant("input.shift", transform.shift)]);
  }
  config.model.layers.forEach((layer, l) => {
    const prefix = `hidden.${l}`;
    x = graph.node("Gemm", `${prefix}.linear`, [
      x,
      initializer(`${prefix}.linear.weight`),
      initializer(`${prefix}.linear.bias`),
    ], [intAttribute("transB", 1)]);
    if (layer.batchNorm) {
      const norm = ["weight", "bias", "running_mean", "running_var"].map((part) =>
        initializer(`${prefix}.norm.${part}`)
      );
      x = graph.node("BatchNormalization", `${prefix}.norm`, [x, ...norm], [
        floatAttribute("epsilon", BATCH_NORM_EPS),
      ]);
    }
    x = activationNode(graph, layer.activation, x, `${prefix}.activation`);
  });
  graph.node("Gemm", "logits", [x, initializer("output.weight"), initializer("output.bias")], [
    intAttribute("transB", 1),
  ]);
  if (units === 1) graph.node("Sigmoid", "probabilities", ["logits"]);
  else graph.node("Softmax", "probabilities", ["logits"], [intAttribute("axis", 1)]);

  const metadata: Record<string, string> = {
    [METADATA_KEYS.version]: options.version,
    [METADATA_KEYS.config]: JSON.stringify(config),
    ...(options.runId === undefined ? {} : { [METADATA_KEYS.run]: String(options.runId) }),
  };
  const model = ModelProto.fromObject({
    ir_version: IR_VERSION,
    opset_import: [{ domain: "", version: OPSET }],
    producer_name: "ajuste",
    producer_version: options.version,
    doc_string: `ajuste run ${options.runId === undefined ? "" : `#${options.runId} `}` +
      `"${config.name}" in evaluation mode`,
    graph: {
      name: config.name,
      node: graph.nodes,
      initializer: graph.initializers,
      input: [valueInfo("input", features, inputDoc(transform))],
      output: [
        valueInfo("logits", units, "The output layer's values, before any softmax or sigmoid"),
        valueInfo(
          "probabilities",
          units,
          units === 1 ? "Sigmoid of the logit: the probability of class 1" : "Softmax over classes",
        ),
      ],
    },
    metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  // A copy: protobufjs may hand back a view into a larger pooled buffer (a Node Buffer), whose
  // `.buffer` is not the file.
  return new Uint8Array(ModelProto.encode(model).finish());
}

function inputDoc(transform: InputTransform): string {
  const identity = transform.scale === 1 && transform.shift === 0;
  return identity
    ? "Raw features, as the dataset stores them"
    : `Raw features (pixels 0..255 for images); the graph's first nodes compute ` +
      `x·${transform.scale} + ${transform.shift}, the run's ToTensor and Normalize`;
}

/** The ONNX file of a stored run, from its config and its weights file (safetensors). */
export function runOnnxModel(
  run: { id?: number; config: RunConfig; safetensors: Uint8Array; version: string },
): Uint8Array {
  const { config } = run;
  const pixels = isPixelDataset(config.data.dataset);
  return onnxModel({
    config,
    state: decodeSafetensors(run.safetensors).state,
    transform: inputTransform({ pixels }, config.data.normalize),
    version: run.version,
    runId: run.id,
  });
}
