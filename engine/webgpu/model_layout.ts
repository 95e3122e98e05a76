/**
 * Where each tensor of the model lives on the GPU: parameters packed into one flat buffer in
 * torch's `named_parameters()` order (so one optimizer dispatch covers them all) and batch-norm
 * buffers in another, with the names, shapes and initial values of the CPU reference's
 * {@linkcode Mlp} — built here from the same seed, so both backends start identical.
 *
 * @module
 */

import type { NamedTensor } from "../backend.ts";
import { Mlp } from "../cpu/mlp.ts";
import { Rng } from "../random.ts";
import type { LayerSpec, ModelSpec } from "../spec.ts";

export interface TensorSlot {
  name: string;
  shape: number[];
  /** Offset in floats within its flat buffer. */
  offset: number;
  length: number;
}

export interface HiddenLayout {
  spec: LayerSpec;
  inFeatures: number;
  weight: number;
  bias: number;
  /** Batch norm's γ, β (parameters) and running statistics (buffers), when on. */
  norm: {
    gamma: number;
    beta: number;
    runningMean: number;
    runningVar: number;
    batchesTracked: number;
  } | null;
}

export interface ModelLayout {
  features: number;
  outputs: number;
  params: TensorSlot[];
  paramCount: number;
  buffers: TensorSlot[];
  bufferCount: number;
  hidden: HiddenLayout[];
  output: { inFeatures: number; weight: number; bias: number };
}

export interface InitialModel {
  layout: ModelLayout;
  params: Float32Array;
  buffers: Float32Array;
}

/** The layout and initial values of `model` (drawn from `new Rng(seed)` as the CPU does). */
export function initialModel(
  model: ModelSpec,
  features: number,
  outputs: number,
  seed: number,
): InitialModel {
  const mlp = new Mlp({ features, layers: model.layers, outputs }, model.init, new Rng(seed));
  const params = pack(mlp.parameters);
  const buffers = pack(mlp.buffers);
  const at = (slots: TensorSlot[], name: string): number => {
    const slot = slots.find((s) => s.name === name);
    if (!slot) throw new Error(`Model tensor "${name}" is missing from the CPU reference's layout`);
    return slot.offset;
  };
  let inFeatures = features;
  const hidden = model.layers.map((spec, l): HiddenLayout => {
    const prefix = `hidden.${l}`;
    const layer: HiddenLayout = {
      spec,
      inFeatures,
      weight: at(params.slots, `${prefix}.linear.weight`),
      bias: at(params.slots, `${prefix}.linear.bias`),
      norm: spec.batchNorm
        ? {
          gamma: at(params.slots, `${prefix}.norm.weight`),
          beta: at(params.slots, `${prefix}.norm.bias`),
          runningMean: at(buffers.slots, `${prefix}.norm.running_mean`),
          runningVar: at(buffers.slots, `${prefix}.norm.running_var`),
          batchesTracked: at(buffers.slots, `${prefix}.norm.num_batches_tracked`),
        }
        : null,
    };
    inFeatures = spec.units;
    return layer;
  });
  const layout: ModelLayout = {
    features,
    outputs,
    params: params.slots,
    paramCount: params.data.length,
    buffers: buffers.slots,
    bufferCount: buffers.data.length,
    hidden,
    output: {
      inFeatures,
      weight: at(params.slots, "output.weight"),
      bias: at(params.slots, "output.bias"),
    },
  };
  return { layout, params: params.data, buffers: buffers.data };
}

function pack(tensors: NamedTensor[]): { slots: TensorSlot[]; data: Float32Array } {
  const slots: TensorSlot[] = [];
  let offset = 0;
  for (const tensor of tensors) {
    slots.push({ name: tensor.name, shape: [...tensor.shape], offset, length: tensor.data.length });
    offset += tensor.data.length;
  }
  const data = new Float32Array(offset);
  tensors.forEach((tensor, i) => data.set(tensor.data, slots[i].offset));
  return { slots, data };
}

/** Named tensors copied out of flat `params` and `buffers` per `layout`. */
export function unpackState(
  layout: ModelLayout,
  params: Float32Array,
  buffers: Float32Array,
): NamedTensor[] {
  const take = (slot: TensorSlot, data: Float32Array): NamedTensor => ({
    name: slot.name,
    shape: [...slot.shape],
    data: data.slice(slot.offset, slot.offset + slot.length),
  });
  return [
    ...layout.params.map((slot) => take(slot, params)),
    ...layout.buffers.map((slot) => take(slot, buffers)),
  ];
}

/**
 * Flat `params` and `buffers` from `state`, which must name every tensor of `layout` once with
 * its shape (the CPU reference's rules and messages).
 */
export function packState(
  layout: ModelLayout,
  state: NamedTensor[],
): { params: Float32Array; buffers: Float32Array } {
  const given = new Map(state.map((tensor) => [tensor.name, tensor]));
  const own = [...layout.params, ...layout.buffers];
  for (const name of given.keys()) {
    if (!own.some((slot) => slot.name === name)) {
      const known = own.map((slot) => slot.name).join(", ");
      throw new Error(`Unknown state tensor "${name}"; this model has ${known}`);
    }
  }
  for (const slot of own) {
    const source = given.get(slot.name);
    if (source === undefined) throw new Error(`State tensor "${slot.name}" is missing`);
    if (source.data.length !== slot.length || `${source.shape}` !== `${slot.shape}`) {
      throw new Error(
        `State tensor "${slot.name}" has shape [${source.shape}], expected [${slot.shape}]`,
      );
    }
  }
  const params = new Float32Array(layout.paramCount);
  const buffers = new Float32Array(layout.bufferCount);
  for (const slot of layout.params) params.set(given.get(slot.name)!.data, slot.offset);
  for (const slot of layout.buffers) buffers.set(given.get(slot.name)!.data, slot.offset);
  return { params, buffers };
}
