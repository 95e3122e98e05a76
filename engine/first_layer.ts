/**
 * What the first layer learned, per epoch: for a model whose input is a 28×28 image and whose
 * config keeps layer statistics on, each epoch's result carries the first hidden layer's
 * {@linkcode FIRST_LAYER_UNITS} units with the largest weight norm (their indices, norms and 784
 * weights each, about 100 KB), which the run page draws while the run trains.
 *
 * No wait of its own: the CPU reads the weights in memory; the GPU copies the first layer's
 * weight into the epoch's one readback, behind the layer statistics (`webgpu/layer_stats.ts`),
 * and the host picks the units with {@linkcode strongestRows} — the same selection on both.
 *
 * @module
 */

/** Units an epoch's snapshot keeps (the run page draws them all). */
export const FIRST_LAYER_UNITS = 32;
/** Inputs of a 28×28 image: the only input the pictures are drawn for. */
export const IMAGE_INPUTS = 28 * 28;

/** The strongest first-layer units at an epoch's end. */
export interface FirstLayerSnapshot {
  /** Units in the layer. */
  units: number;
  /** Inputs of each unit (784). */
  inputs: number;
  /** The units kept, strongest first (row indices of the weight [units × inputs]). */
  indices: number[];
  /** ‖w‖ of each kept unit, in f64 from the f32 weights. */
  norms: number[];
  /** The kept units' weights, [indices.length × inputs], in the same order. */
  weights: Float32Array;
}

/**
 * Whether a session that computes layer statistics puts a {@linkcode FirstLayerSnapshot} in its
 * epochs: when its first hidden layer (`hiddenLayers` > 0) has `fanIn` = 784 inputs.
 */
export function takesFirstLayer(hiddenLayers: number, fanIn: number): boolean {
  return hiddenLayers > 0 && fanIn === IMAGE_INPUTS;
}

/**
 * The `count` rows of `weights` [units × inputs] with the largest L2 norm, strongest first (ties
 * by lower index), copied out. Backends both pick with this, so they pick alike.
 */
export function strongestRows(
  weights: Float32Array,
  inputs: number,
  count = FIRST_LAYER_UNITS,
): FirstLayerSnapshot {
  const units = Math.floor(weights.length / inputs);
  const norms = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    let sum = 0;
    const end = (u + 1) * inputs;
    for (let i = u * inputs; i < end; i++) sum += weights[i] * weights[i];
    norms[u] = Math.sqrt(sum);
  }
  const indices = Array.from({ length: units }, (_, u) => u)
    .sort((a, b) => norms[b] - norms[a] || a - b)
    .slice(0, count);
  const kept = new Float32Array(indices.length * inputs);
  indices.forEach((u, k) => kept.set(weights.subarray(u * inputs, (u + 1) * inputs), k * inputs));
  return { units, inputs, indices, norms: indices.map((u) => norms[u]), weights: kept };
}
