/**
 * What the network diagram draws, worked out once: each layer's size, its blocks and how many
 * trainable parameters it holds, counted as `engine/cpu/mlp.ts` allocates them (torch's
 * `sum(p.numel() for p in model.parameters())`). Batch norm's running mean and variance are
 * buffers, not parameters, and are reported apart.
 *
 * @module
 */

import type { LayerSpec } from "../../engine/spec.ts";

export interface NetworkInput {
  /** Input features; null where the dataset is not known here (a typed-in CSV path). */
  features: number | null;
  /** Side of the square image when the inputs are one (28 for MNIST). */
  imageSide?: number;
  layers: LayerSpec[];
  /** Output units; null where the dataset is not known here. */
  outputs: number | null;
  /** What the output units mean: "10 classes, softmax (cross-entropy)". */
  outputNote?: string;
}

/** One Linear layer (hidden or output) with what follows it. */
export interface DenseLayer {
  /** "Hidden 1" … or "Output". */
  name: string;
  inFeatures: number | null;
  units: number | null;
  /** Hidden layers only: the rest of the block. */
  spec?: LayerSpec;
  weights: number | null;
  biases: number | null;
  /** Batch norm's γ and β (2 · units), 0 without batch norm. */
  normParameters: number;
  /** Batch norm's running mean and variance (2 · units): buffers, not trained. */
  normBuffers: number;
  /** Trainable parameters of the layer; null when its input size is unknown. */
  parameters: number | null;
}

export interface NetworkShape {
  features: number | null;
  imageSide?: number;
  hidden: DenseLayer[];
  output: DenseLayer;
  outputNote?: string;
  /** Trainable parameters of the whole model; null when any layer's is unknown. */
  parameters: number | null;
}

export function networkShape(input: NetworkInput): NetworkShape {
  let inFeatures = input.features;
  const hidden = input.layers.map((spec, i) => {
    const layer = dense(`Hidden ${i + 1}`, inFeatures, spec.units, spec);
    inFeatures = spec.units;
    return layer;
  });
  const output = dense("Output", inFeatures, input.outputs);
  const layers = [...hidden, output];
  const known = layers.every((layer) => layer.parameters !== null);
  return {
    features: input.features,
    imageSide: input.imageSide,
    hidden,
    output,
    outputNote: input.outputNote,
    parameters: known ? layers.reduce((sum, layer) => sum + layer.parameters!, 0) : null,
  };
}

function dense(
  name: string,
  inFeatures: number | null,
  units: number | null,
  spec?: LayerSpec,
): DenseLayer {
  const weights = inFeatures === null || units === null ? null : inFeatures * units;
  const biases = units;
  const norm = spec?.batchNorm ? 2 * spec.units : 0;
  return {
    name,
    inFeatures,
    units,
    spec,
    weights,
    biases,
    normParameters: norm,
    normBuffers: norm,
    parameters: weights === null || biases === null ? null : weights + biases + norm,
  };
}
