/**
 * Evaluation-mode work of a session on the GPU (no dropout, running batch-norm statistics):
 * whole-split evaluations (loss, accuracy, confusion matrix) recorded into a command encoder,
 * possibly after an epoch's steps, and predictions for chosen rows. Each records copies into a
 * {@linkcode Staging} buffer; the session submits, reads back and decodes.
 *
 * @module
 */

import type { EvalResult, SplitName } from "../backend.ts";
import type { PreparedData } from "../data/dataset.ts";
import { type Dispatch, encodeDispatch, encodeStep } from "../kernels/kernel.ts";
import { decodeTotals, EPOCH_STATUS_BYTES } from "../kernels/metrics_reduce.ts";
import type { GpuContext } from "./gpu_context.ts";
import type { Programs } from "./programs.ts";
import type { Staging } from "./readback.ts";
import type { SessionBuffers, StepArray } from "./session_buffers.ts";
import { chunkSteps, packSteps } from "./step_params.ts";

export class Evaluation {
  readonly #context: GpuContext;
  readonly #programs: Programs;
  readonly #buffers: SessionBuffers;
  readonly #data: PreparedData;
  /** Rows per chunk: the evaluation kernels' row count. */
  readonly #rows: number;
  readonly #outputs: number;

  constructor(
    context: GpuContext,
    programs: Programs,
    buffers: SessionBuffers,
    data: PreparedData,
    shape: { rows: number; outputs: number },
  ) {
    this.#context = context;
    this.#programs = programs;
    this.#buffers = buffers;
    this.#data = data;
    this.#rows = shape.rows;
    this.#outputs = shape.outputs;
  }

  /** Bytes an evaluation reads back: the status record, then the confusion matrix. */
  get bytes(): number {
    return EPOCH_STATUS_BYTES + this.#data.classes * this.#data.classes * 4;
  }

  /** An empty split has no mean: NaN rather than a made-up 0, as the CPU reference. */
  empty(split: SplitName): EvalResult {
    const classes = this.#data.classes;
    const count = this.#data[split].count;
    return { loss: NaN, accuracy: NaN, count, confusion: new Uint32Array(classes * classes) };
  }

  /** Records the evaluation of non-empty `split`, its results copied to `staging` byte `at`. */
  encode(encoder: GPUCommandEncoder, split: SplitName, staging: Staging, at: number): void {
    const buffers = this.#buffers;
    encoder.clearBuffer(buffers.rowMetrics);
    encoder.clearBuffer(buffers.confusion);
    const pass = encoder.beginComputePass({ label: `evaluate ${split}` });
    const dispatches = this.#programs.evaluate(buffers, split, buffers.identityOrder);
    this.#encodeChunks(pass, dispatches, buffers.evalSteps[split], this.#data[split].count);
    encodeDispatch(pass, this.#programs.reduce(buffers), 0);
    pass.end();
    staging.copy(encoder, buffers.totals, 0, at, EPOCH_STATUS_BYTES);
    staging.copy(
      encoder,
      buffers.confusion,
      0,
      at + EPOCH_STATUS_BYTES,
      this.bytes - EPOCH_STATUS_BYTES,
    );
  }

  /** The evaluation of `split` that {@linkcode encode} staged at byte `at` of `bytes`. */
  decode(bytes: ArrayBuffer, at: number, split: SplitName): EvalResult {
    const classes = this.#data.classes;
    const count = this.#data[split].count;
    const totals = decodeTotals(bytes, at);
    return {
      loss: totals.loss / count,
      accuracy: totals.correct / count,
      count,
      confusion: new Uint32Array(bytes.slice(at + EPOCH_STATUS_BYTES), 0, classes * classes),
    };
  }

  /**
   * Submits the logits of `rows` of `split`, in order, copied into `staging`. One chunk per
   * submit: the order and step slot are rewritten between them, and queue.writeBuffer lands
   * after the previously submitted chunk has run.
   */
  submitPredict(split: SplitName, rows: Uint32Array, staging: Staging): void {
    const { device, stepStride } = this.#context;
    const buffers = this.#buffers;
    const bytesPerRow = this.#outputs * 4;
    const dispatches = this.#programs.predict(buffers, split, buffers.predictOrder);
    for (let start = 0; start < rows.length; start += this.#rows) {
      const part = rows.subarray(start, Math.min(start + this.#rows, rows.length));
      device.queue.writeBuffer(buffers.predictOrder, 0, part);
      device.queue.writeBuffer(
        buffers.predictSteps.buffer,
        0,
        packSteps(chunkSteps(part.length, part.length), stepStride),
      );
      const encoder = device.createCommandEncoder({ label: `predict ${split}` });
      const pass = encoder.beginComputePass();
      this.#encodeChunks(pass, dispatches, buffers.predictSteps, part.length);
      pass.end();
      staging.copy(encoder, buffers.logits, 0, start * bytesPerRow, part.length * bytesPerRow);
      device.queue.submit([encoder.finish()]);
    }
  }

  /** `dispatches` over `count` rows in chunks of the step array's slots. */
  #encodeChunks(
    pass: GPUComputePassEncoder,
    dispatches: Dispatch[],
    steps: StepArray,
    count: number,
  ): void {
    const stride = this.#context.stepStride;
    for (let chunk = 0, first = 0; first < count; chunk++, first += this.#rows) {
      const rows = Math.min(this.#rows, count - first);
      encodeStep(pass, dispatches, steps.group, chunk * stride, rows);
    }
  }
}
