/**
 * Runs single kernels for the GPU tests: uploads arrays, writes step slots, encodes dispatches
 * in one pass and reads buffers back.
 *
 * @module
 */

import type { Dispatch } from "../engine/kernels/kernel.ts";
import { encodeStep } from "../engine/kernels/kernel.ts";
import { BufferSet } from "../engine/webgpu/buffer_set.ts";
import { GpuContext } from "../engine/webgpu/gpu_context.ts";
import { stepArray } from "../engine/webgpu/session_buffers.ts";
import { packSteps, type StepParams } from "../engine/webgpu/step_params.ts";
import { gpuTestOptions } from "./gpu_options.ts";

const STEP_DEFAULTS: StepParams = {
  rows: 1,
  first: 0,
  globalStep: 0,
  stepInEpoch: 0,
  dropoutSeed: 0,
  optimizerStep: 1,
  adamStepSize: 0,
  adamBiasCorrection2Sqrt: 1,
  lr: 0,
  momentum: 0,
  oneMinusBeta1: 0,
  decoupledDecay: 1,
  momentumFresh: 0,
};

export class KernelHarness {
  readonly context: GpuContext;
  readonly #set: BufferSet;

  private constructor(context: GpuContext) {
    this.context = context;
    this.#set = new BufferSet(context);
  }

  static async open(): Promise<KernelHarness> {
    return new KernelHarness(await GpuContext.create(gpuTestOptions()));
  }

  /** A storage buffer holding `data`, or `bytes` zeroed bytes. */
  buffer(data: ArrayBufferView | number): GPUBuffer {
    return typeof data === "number"
      ? this.#set.storage("test", data)
      : this.#set.storageFrom("test", data);
  }

  /**
   * Runs each `[dispatch, step]` in order in one compute pass, `step` being the scalars of its
   * step slot, then returns the contents of `reads`.
   */
  async run(
    list: [Dispatch | readonly Dispatch[], Partial<StepParams>][],
    reads: GPUBuffer[],
  ): Promise<ArrayBuffer[]> {
    const { device, stepStride } = this.context;
    // A split-K product is two dispatches of one step.
    const dispatches = list.flatMap(([dispatch, step]) =>
      (Array.isArray(dispatch) ? dispatch : [dispatch]).map((
        d,
      ): [Dispatch, Partial<StepParams>] => [d, step])
    );
    const steps = dispatches.map(([, step]) => ({ ...STEP_DEFAULTS, ...step }));
    const array = stepArray(this.#set, "test steps", packSteps(steps, stepStride));
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    dispatches.forEach(([dispatch], i) => {
      encodeStep(pass, [dispatch], array.group, i * stepStride, steps[i].rows);
    });
    pass.end();
    const stagings = reads.map((buffer) => {
      const staging = device.createBuffer({
        size: buffer.size,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      encoder.copyBufferToBuffer(buffer, 0, staging, 0, buffer.size);
      return staging;
    });
    device.queue.submit([encoder.finish()]);
    this.context.assertUsable();
    return await Promise.all(stagings.map(async (staging) => {
      await staging.mapAsync(GPUMapMode.READ);
      const bytes = staging.getMappedRange().slice(0);
      staging.destroy();
      return bytes;
    }));
  }

  /** f32 contents of `buffers` after running `dispatches`. */
  async runFloats(
    dispatches: [Dispatch | readonly Dispatch[], Partial<StepParams>][],
    reads: GPUBuffer[],
  ): Promise<Float32Array[]> {
    return (await this.run(dispatches, reads)).map((bytes) => new Float32Array(bytes));
  }

  destroy(): void {
    this.#set.destroyAll();
    this.context.destroy();
  }
}

/** Deterministic values in [−scale, scale). */
export function randomFloats(count: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = ((state >>> 8) / 16777216 * 2 - 1) * scale;
  }
  return out;
}
