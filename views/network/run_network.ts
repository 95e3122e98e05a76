/**
 * A run config's network as the diagram draws it: the hidden layers from the config, the input
 * size from the dataset, the output size from the dataset and the loss (`outputUnits`).
 *
 * @module
 */

import { type LayerSpec, type LossName, outputUnits } from "../../engine/spec.ts";
import { type NetworkShape, networkShape } from "./network_shape.ts";

/** What the diagram needs to know of the dataset; null where it is not known here. */
export interface NetworkData {
  features: number;
  classes: number;
  imageSide?: number;
}

/** What the output units give, by loss: a line under the output layer. */
export function outputMeaning(loss: LossName, classes: number): string {
  const units = outputUnits(loss, classes);
  switch (loss) {
    case "cross_entropy":
      return `softmax over ${classes} classes`;
    case "bce_with_logits":
      return units === 1 ? "sigmoid: P(class 1)" : `a sigmoid per class (${classes})`;
    case "bce":
      return units === 1 ? "sigmoid output: P(class 1)" : `sigmoid outputs (${classes})`;
    case "mse":
      return `scores vs one-hot targets`;
  }
}

export function runNetwork(
  model: { layers: LayerSpec[] },
  loss: LossName,
  data: NetworkData | null,
): NetworkShape {
  return networkShape({
    features: data?.features ?? null,
    imageSide: data?.imageSide,
    layers: model.layers,
    outputs: data ? outputUnits(loss, data.classes) : null,
    outputNote: data ? outputMeaning(loss, data.classes) : undefined,
  });
}
