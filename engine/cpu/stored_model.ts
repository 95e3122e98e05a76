/**
 * A trained run's model rebuilt from its stored weights (the safetensors file a completed run
 * keeps, with its config in the metadata) on the CPU reference, to classify new inputs: the
 * same {@linkcode Mlp} forward in evaluation mode that `CpuSession.predict` runs (running batch
 * statistics, no dropout), after the run's own input transform.
 *
 * @module
 */

import type { NamedTensor } from "../backend.ts";
import { inputTransform } from "../data/transform.ts";
import { type InputTransform, transformInput } from "../data/dataset.ts";
import { Rng } from "../random.ts";
import { decodeSafetensors, METADATA_KEYS } from "../safetensors.ts";
import type { RunConfig } from "../spec.ts";
import { predictClasses } from "./losses.ts";
import { Mlp } from "./mlp.ts";

export interface Prediction {
  /** One value in [0, 1] per class; they sum to 1 for cross-entropy (see `classProbabilities`). */
  probabilities: number[];
  predicted: number;
}

export class StoredModel {
  readonly #model: Mlp;
  readonly #transform: InputTransform;

  private constructor(
    readonly config: RunConfig,
    readonly features: number,
    readonly classes: number,
    state: NamedTensor[],
    pixels: boolean,
  ) {
    const outputs = state.find((tensor) => tensor.name === "output.weight")!.shape[0];
    this.#model = new Mlp(
      { features, layers: config.model.layers, outputs },
      config.model.init,
      new Rng(0),
    );
    loadState(this.#model, state);
    this.#transform = inputTransform({ pixels }, config.data.normalize);
  }

  /**
   * The model in a run's weights file. `pixels`: its raw inputs are 0–255 grey levels that
   * ToTensor divides by 255 (image datasets). `classes` defaults to the output units (2 for a
   * single binary unit).
   */
  static fromSafetensors(
    bytes: Uint8Array,
    options: { pixels: boolean; classes?: number },
  ): StoredModel {
    const { state, metadata } = decodeSafetensors(bytes);
    const configText = metadata[METADATA_KEYS.config];
    if (!configText) throw new Error(`The weights carry no "${METADATA_KEYS.config}" metadata`);
    const config = JSON.parse(configText) as RunConfig;
    const first = state.find((tensor) =>
      tensor.name === (config.model.layers.length ? "hidden.0.linear.weight" : "output.weight")
    );
    if (!first) throw new Error("The weights have no first Linear layer");
    const output = state.find((tensor) => tensor.name === "output.weight");
    if (!output) throw new Error(`The weights have no "output.weight"`);
    const units = output.shape[0];
    const classes = options.classes ?? (units === 1 ? 2 : units);
    return new StoredModel(config, first.shape[1], classes, state, options.pixels);
  }

  /** Class probabilities of one example of raw inputs (pixels 0–255 for images). */
  predict(raw: ArrayLike<number>): Prediction {
    if (raw.length !== this.features) {
      throw new RangeError(`The model takes ${this.features} inputs, got ${raw.length}`);
    }
    const inputs = new Float32Array(this.features);
    for (let i = 0; i < inputs.length; i++) inputs[i] = transformInput(raw[i], this.#transform);
    const offset = transformInput(0, this.#transform);
    const logits = this.#model.forward(inputs, 1, { training: false }, offset).slice();
    const units = logits.length;
    const predicted = new Uint8Array(1);
    predictClasses(this.config.loss, logits, 1, units, predicted);
    return {
      probabilities: classProbabilities(this.config.loss, logits),
      predicted: predicted[0],
    };
  }
}

/**
 * What a person reads as "how sure, per class" from one row of logits: the softmax for
 * cross-entropy; for the binary losses each unit's sigmoid (one unit: [1 − p, p]); for MSE the
 * outputs themselves, which regress one-hot targets, clamped to [0, 1]. Only cross-entropy's
 * sum to 1.
 */
export function classProbabilities(loss: RunConfig["loss"], logits: Float32Array): number[] {
  const row = [...logits];
  switch (loss) {
    case "cross_entropy": {
      const max = Math.max(...row);
      const exps = row.map((z) => Math.exp(z - max));
      const sum = exps.reduce((a, b) => a + b, 0);
      return exps.map((e) => e / sum);
    }
    case "bce":
    case "bce_with_logits": {
      // bce's model output is the sigmoid of the last Linear, as with nn.Sigmoid + nn.BCELoss.
      const probabilities = row.map((z) => 1 / (1 + Math.exp(-z)));
      return probabilities.length === 1 ? [1 - probabilities[0], probabilities[0]] : probabilities;
    }
    case "mse":
      return row.map((value) => Math.min(1, Math.max(0, value)));
  }
}

/** Copies the stored tensors into the model's, each by name, shapes checked. */
function loadState(model: Mlp, state: NamedTensor[]): void {
  const given = new Map(state.map((tensor) => [tensor.name, tensor]));
  for (const tensor of [...model.parameters, ...model.buffers]) {
    const source = given.get(tensor.name);
    if (!source) throw new Error(`The weights lack "${tensor.name}"`);
    if (source.data.length !== tensor.data.length) {
      throw new Error(
        `"${tensor.name}" has shape [${source.shape}] in the weights, the config makes [${tensor.shape}]`,
      );
    }
    tensor.data.set(source.data);
  }
}
