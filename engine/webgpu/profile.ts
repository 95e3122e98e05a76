/**
 * Per-kernel GPU time with timestamp queries (when the adapter offers `timestamp-query`): each
 * dispatch of a step runs in its own compute pass with begin/end timestamps. For benchmarks and
 * tile tuning, not for training (one pass per dispatch adds synchronisation).
 *
 * @module
 */

import { type Dispatch, encodeStep } from "../kernels/kernel.ts";
import type { GpuContext } from "./gpu_context.ts";

export interface KernelTiming {
  kernel: string;
  entryPoint: string;
  microseconds: number;
}

/**
 * Times each of `dispatches` (a step of `rows` rows whose scalars are at `stepOffset` in
 * `stepGroup`), median of `repeats` runs. Runs the dispatches for real: parameters change.
 */
export async function timeDispatches(
  context: GpuContext,
  dispatches: readonly Dispatch[],
  stepGroup: GPUBindGroup,
  stepOffset: number,
  rows: number,
  repeats = 5,
): Promise<KernelTiming[]> {
  if (!context.hasTimestamps) {
    throw new Error("Per-kernel timing needs the adapter's timestamp-query feature");
  }
  const { device } = context;
  const count = dispatches.length * 2 * repeats;
  const querySet = device.createQuerySet({ type: "timestamp", count });
  const resolve = device.createBuffer({
    size: count * 8,
    usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
  });
  const staging = device.createBuffer({
    size: count * 8,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    const encoder = device.createCommandEncoder({ label: "profile" });
    let query = 0;
    for (let r = 0; r < repeats; r++) {
      for (const dispatch of dispatches) {
        const pass = encoder.beginComputePass({
          timestampWrites: {
            querySet,
            beginningOfPassWriteIndex: query,
            endOfPassWriteIndex: query + 1,
          },
        });
        encodeStep(pass, [dispatch], stepGroup, stepOffset, rows);
        pass.end();
        query += 2;
      }
    }
    encoder.resolveQuerySet(querySet, 0, count, resolve, 0);
    encoder.copyBufferToBuffer(resolve, 0, staging, 0, count * 8);
    device.queue.submit([encoder.finish()]);
    await context.orLost(staging.mapAsync(GPUMapMode.READ));
    const ticks = new BigUint64Array(staging.getMappedRange().slice(0));
    return dispatches.map((dispatch, d) => {
      const samples: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const at = (r * dispatches.length + d) * 2;
        samples.push(Number(ticks[at + 1] - ticks[at]) / 1000);
      }
      samples.sort((a, b) => a - b);
      return {
        kernel: dispatch.kernel.definition.name,
        entryPoint: dispatch.kernel.definition.entryPoint,
        microseconds: samples[samples.length >> 1],
      };
    });
  } finally {
    querySet.destroy();
    resolve.destroy();
    staging.destroy();
  }
}
