/**
 * The CPU reference backend: trains the {@linkcode Mlp} in plain TypeScript. It is the oracle the
 * WebGPU engine is tested against and the fallback where WebGPU is missing.
 *
 * Determinism: initial weights draw from `new Rng(config.seed)`; batches come from
 * {@linkcode epochOrder}; dropout masks hash (config.seed, global step, layer, element) with the
 * global step `epoch · steps + i`, so every step draws a fresh mask and the GPU draws the same.
 *
 * @module
 */

import { assertOwnPosition, type SessionCheckpoint } from "../checkpoint.ts";
import type {
  Backend,
  EpochOptions,
  EpochResult,
  EvalResult,
  NamedTensor,
  SplitName,
  TrainingSession,
} from "../backend.ts";
import { batchRows, epochOrder } from "../data/batches.ts";
import { type Examples, type PreparedData, transformInput } from "../data/dataset.ts";
import { type LayerStats, layerStatsEnabled, probeRows } from "../layer_stats.ts";
import { Rng } from "../random.ts";
import {
  assertSchedulerFits,
  createLrScheduler,
  type LrScheduler,
} from "../schedule/lr_scheduler.ts";
import { SerialQueue } from "../serial.ts";
import { outputUnits, type RunConfig } from "../spec.ts";
import { gatherInputs, gatherLabels } from "./gather.ts";
import type { FastKernels } from "./fast_kernels.ts";
import type { WasmGather } from "./wasm_gather.ts";
import { clipGradients } from "./grad_clip.ts";
import { KeptWeights } from "./kept_weights.ts";
import { CpuLayerStats } from "./layer_stats.ts";
import { lossForward, outputsFromLogits, predictClasses } from "./losses.ts";
import { Mlp, parameterSizes } from "./mlp.ts";
import {
  createOptimizer,
  loadOptimizer,
  type Optimizer,
  optimizerCheckpoint,
} from "./optim/optimizer.ts";
import { addPenaltyGradient, penaltyValue } from "./penalties.ts";

/** Rows per forward pass when evaluating or predicting. */
const EVAL_CHUNK = 1024;
/**
 * Work between yields to the event loop, so a worker can still receive a cancel message. Each
 * yield is a timer, which Deno holds for about 2 ms (measured here: 2.1-2.2 ms a `setTimeout(0)`),
 * so yielding every 50 ms cost 4% of an epoch; every 200 ms costs 1%, and a cancel still lands
 * within a fifth of a second.
 */
const YIELD_EVERY_MS = 200;

export class CpuBackend implements Backend {
  readonly kind = "cpu";
  readonly description = "CPU reference";

  createSession(config: RunConfig, data: PreparedData): Promise<TrainingSession> {
    // The executor turns a constructor error (bad config for this data) into a rejection.
    return new Promise((resolve) => resolve(new CpuSession(config, data)));
  }
}

export class CpuSession implements TrainingSession {
  readonly model: Mlp;
  readonly optimizer: Optimizer;
  readonly scheduler: LrScheduler;
  readonly #units: number;
  /** The model input of a raw 0 (background pixel), which the first layer skips. */
  readonly #inputOffset: number;
  #inputs: Float32Array;
  /** The fast backend's gather, whose memory holds #inputs; null: the reference's loop. */
  #inputGather: WasmGather | null;
  #labels: Uint8Array;
  #dLogits: Float32Array;
  #predicted: Uint8Array;
  /** Operations run in call order (see TrainingSession): each yields, so calls could interleave. */
  readonly #queue = new SerialQueue();
  /** One pacer for the session's life, so epochs shorter than its interval still yield. */
  readonly #pace = eventLoopPacer();
  /** Early stopping's copies of the weights; null without early stopping. */
  readonly #kept: KeptWeights | null;
  /** Per-layer statistics; null when the config turns them off. */
  readonly #layerStats: CpuLayerStats | null;
  /** Epochs trained so far (a checkpoint's count). */
  #epochs = 0;
  /** The epoch paused inside (`pauseAt`): its steps done and sums so far. */
  #position: { epoch: number; step: number; sums: number[] } | null = null;

  /** `fast` swaps in the fast backend's products and optimizer; without it, the reference's. */
  constructor(readonly config: RunConfig, readonly data: PreparedData, fast?: FastKernels) {
    this.#units = outputUnits(config.loss, data.classes);
    this.#inputOffset = transformInput(0, data.transform);
    const layers = config.model.layers;
    const shape = { features: data.features, layers, outputs: this.#units };
    this.optimizer = (fast?.createOptimizer ?? createOptimizer)(
      config.optimizer,
      parameterSizes(shape),
    );
    // WebAssembly Adam keeps the parameters in its memory and updates them there.
    this.model = new Mlp(
      shape,
      config.model.init,
      new Rng(config.seed),
      fast?.gemm,
      this.optimizer.storage?.() ?? null,
      fast?.sparseInput?.() ?? null,
      fast?.hiddenBlock ?? null,
    );
    const { batchSize, steps } = epochOrder(
      data.train.count,
      { ...config.batch, shuffle: false },
      0,
      0,
    );
    const run = { epochs: config.epochs, stepsPerEpoch: steps };
    assertSchedulerFits(config.scheduler, run, data.dev.count > 0);
    this.scheduler = createLrScheduler(config.scheduler, config.optimizer, run);
    if (layers.some((layer) => layer.batchNorm)) {
      assertBatchesOfTwo(config, data.train.count, batchSize);
    }
    const rows = Math.max(batchSize, Math.min(EVAL_CHUNK, maxSplitCount(data)));
    this.#inputGather = fast?.inputGather?.(rows * data.features) ?? null;
    this.#inputs = this.#inputGather?.inputs ?? new Float32Array(rows * data.features);
    this.#labels = new Uint8Array(rows);
    this.#dLogits = new Float32Array(rows * this.#units);
    this.#predicted = new Uint8Array(rows);
    this.#kept = config.earlyStopping
      ? new KeptWeights([...this.model.parameters, ...this.model.buffers])
      : null;
    this.#layerStats = layerStatsEnabled(config) ? new CpuLayerStats(this.model) : null;
  }

  trainEpoch(epoch: number, options: EpochOptions = {}): Promise<EpochResult> {
    return this.#queue.run(() => this.#trainEpoch(epoch, options));
  }

  evaluate(split: SplitName): Promise<EvalResult> {
    return this.#queue.run(() => this.#evaluate(split));
  }

  predict(split: SplitName, rows: Uint32Array): Promise<Float32Array> {
    return this.#queue.run(() => this.#predict(split, rows));
  }

  async #trainEpoch(
    epoch: number,
    { signal, evaluate = [], pauseAt, onSteps }: EpochOptions,
  ): Promise<EpochResult> {
    const { config, data, model } = this;
    const train = data.train;
    const { order, batchSize, steps } = epochOrder(train.count, config.batch, config.seed, epoch);
    const params = model.parameters.map((p) => p.data);
    const { l1, l2 } = config.regularization;
    // Where it paused inside this epoch, if it did, and what it had summed.
    const from = this.#position?.epoch === epoch ? this.#position : null;
    let [lossSum, correct, seen] = from?.sums ?? [0, 0, 0];
    const to = pauseAt !== undefined && pauseAt > (from?.step ?? 0) && pauseAt < steps
      ? pauseAt
      : steps;
    this.#position = null;
    if (!from) this.#layerStats?.epochStarted();
    let lr = this.scheduler.current.lr;
    for (let step = from?.step ?? 0; step < to; step++) {
      signal?.throwIfAborted();
      const hyper = this.scheduler.current;
      lr = hyper.lr;
      const rows = batchRows(order, batchSize, step);
      const n = rows.length;
      const inputs = this.#gather(train, rows);
      const dropout = { seed: config.seed, step: epoch * steps + step };
      const logits = model.forward(inputs, n, { training: true, dropout }, this.#inputOffset);
      const dLogits = this.#dLogits.subarray(0, n * this.#units);
      const loss = lossForward(config.loss, logits, this.#labels, n, this.#units, dLogits);
      correct += this.#countCorrect(logits, n);
      lossSum += loss * n;
      seen += n;
      const penalty = l1 === 0 && l2 === 0 ? 0 : penaltyValue(params, l1, l2);
      if (!Number.isFinite(loss + penalty)) {
        return {
          loss: lossSum / seen,
          accuracy: correct / seen,
          steps: step + 1,
          lr,
          nonFiniteStep: step,
        };
      }
      model.backward(dLogits);
      if (step === steps - 1) this.#layerStats?.gradientsReady();
      addPenaltyGradient(params, model.gradients, l1, l2);
      // As the seed's loop: the penalty is part of the loss, so it is clipped; weight decay,
      // inside optimizer.step, is not.
      if (config.gradientClipping) clipGradients(config.gradientClipping, model.gradients);
      this.optimizer.step(params, model.gradients, hyper);
      this.scheduler.stepBatch();
      onSteps?.(step + 1, steps);
      await this.#pace();
    }
    if (to < steps) {
      this.#position = { epoch, step: to, sums: [lossSum, correct, seen] };
      return { loss: NaN, accuracy: NaN, steps: to, paused: true };
    }
    const layers = this.#layerStats ? this.#probeLayerStats(this.#layerStats) : undefined;
    const firstLayer = this.#layerStats?.firstLayer();
    const evaluations: EpochResult["evaluations"] = {};
    // ReduceLROnPlateau needs the dev metric whether or not the caller asked for it.
    const splits = config.scheduler?.type === "reduce_on_plateau" && data.dev.count > 0
      ? [...evaluate, "dev" as const]
      : evaluate;
    for (const split of new Set(splits)) evaluations[split] = await this.#evaluate(split);
    this.scheduler.stepEpoch(evaluations.dev ?? null);
    this.#kept?.epochEnded(epoch);
    this.#epochs = epoch + 1;
    return {
      loss: lossSum / seen,
      accuracy: correct / seen,
      steps,
      lr,
      evaluations,
      ...(layers ? { layers } : {}),
      ...(firstLayer ? { firstLayer } : {}),
    };
  }

  /** The layer statistics of an evaluation-mode forward of the probe batch. */
  #probeLayerStats(stats: CpuLayerStats): LayerStats[] {
    const rows = probeRows(this.data.train.count);
    const inputs = this.#gather(this.data.train, Uint32Array.from({ length: rows }, (_, i) => i));
    this.model.forward(inputs, rows, { training: false }, this.#inputOffset);
    return stats.finish(rows);
  }

  async #evaluate(split: SplitName): Promise<EvalResult> {
    const examples = this.data[split];
    const classes = this.data.classes;
    const confusion = new Uint32Array(classes * classes);
    let lossSum = 0;
    let correct = 0;
    await this.#inChunks(examples, (rows, logits) => {
      lossSum +=
        lossForward(this.config.loss, logits, this.#labels, rows.length, this.#units, null) *
        rows.length;
      correct += this.#countCorrect(logits, rows.length);
      for (let r = 0; r < rows.length; r++) {
        confusion[this.#labels[r] * classes + this.#predicted[r]]++;
      }
    });
    // An empty split has no mean: NaN rather than a made-up 0.
    const count = examples.count;
    return { loss: lossSum / count, accuracy: correct / count, count, confusion };
  }

  async #predict(split: SplitName, rows: Uint32Array): Promise<Float32Array> {
    const examples = this.data[split];
    for (const row of rows) {
      if (row >= examples.count) {
        throw new RangeError(
          `Row ${row} is out of range for split "${split}" of ${examples.count}`,
        );
      }
    }
    const out = new Float32Array(rows.length * this.#units);
    let done = 0;
    await this.#inChunks(examples, (part, logits) => {
      outputsFromLogits(this.config.loss, logits);
      out.set(logits, done * this.#units);
      done += part.length;
    }, rows);
    return out;
  }

  /** Evaluation-mode forward over `rows` (all of `examples` by default) in chunks. */
  async #inChunks(
    examples: Examples,
    visit: (rows: Uint32Array, logits: Float32Array) => void,
    rows: Uint32Array = Uint32Array.from({ length: examples.count }, (_, i) => i),
  ): Promise<void> {
    const chunk = this.#labels.length;
    for (let start = 0; start < rows.length; start += chunk) {
      const part = rows.subarray(start, Math.min(start + chunk, rows.length));
      const inputs = this.#gather(examples, part);
      const logits = this.model.forward(
        inputs,
        part.length,
        { training: false },
        this.#inputOffset,
      );
      visit(part, logits);
      await this.#pace();
    }
  }

  /** Gathers inputs (returned) and labels (into #labels) of `rows`. */
  #gather(examples: Examples, rows: Uint32Array): Float32Array {
    const inputs = this.#inputs.subarray(0, rows.length * this.data.features);
    const gather = this.#inputGather;
    if (gather) gather.gather(examples, this.data.features, rows, this.data.transform, inputs);
    else gatherInputs(examples, this.data.features, rows, this.data.transform, inputs);
    gatherLabels(examples, rows, this.#labels);
    return inputs;
  }

  /** Rows whose predicted class (left in #predicted) equals the gathered label. */
  #countCorrect(logits: Float32Array, n: number): number {
    predictClasses(this.config.loss, logits, n, this.#units, this.#predicted);
    let correct = 0;
    for (let r = 0; r < n; r++) if (this.#predicted[r] === this.#labels[r]) correct++;
    return correct;
  }

  getState(): Promise<NamedTensor[]> {
    const tensors = [...this.model.parameters, ...this.model.buffers];
    return this.#queue.run(() =>
      Promise.resolve(
        tensors.map(({ name, shape, data }) => ({ name, shape: [...shape], data: data.slice() })),
      )
    );
  }

  setState(state: NamedTensor[]): Promise<void> {
    // Thrown inside the queue's operation, invalid state rejects instead of throwing.
    return this.#queue.run(() => {
      this.#loadState(state);
      return Promise.resolve();
    });
  }

  checkpoint(): Promise<SessionCheckpoint> {
    return this.#queue.run(() => {
      const tensors = [...this.model.parameters, ...this.model.buffers];
      return Promise.resolve({
        epochs: this.#epochs,
        weights: tensors.map(({ name, shape, data }) => ({
          name,
          shape: [...shape],
          data: data.slice(),
        })),
        optimizer: optimizerCheckpoint(this.optimizer),
        scheduler: this.scheduler.state(),
        best: this.#kept?.best() ?? null,
        ...(this.#position
          ? {
            position: {
              backend: "cpu" as const,
              ...this.#position,
              sums: [...this.#position.sums],
              ...withStartWeights(this.#layerStats?.startWeights() ?? null),
            },
          }
          : {}),
      });
    });
  }

  restore(checkpoint: SessionCheckpoint): Promise<void> {
    return this.#queue.run(() => {
      const { position } = checkpoint;
      assertOwnPosition(position, "cpu");
      if (position && position.sums?.length !== 3) {
        throw new Error("The checkpoint's epoch sums are not the CPU's three numbers");
      }
      this.#loadState(checkpoint.weights);
      const sizes = this.model.parameters.map((p) => p.data.length);
      loadOptimizer(this.optimizer, checkpoint.optimizer, sizes);
      this.scheduler.load(checkpoint.scheduler);
      if (checkpoint.best) this.#keptWeights().loadBest(checkpoint.best);
      this.#epochs = checkpoint.epochs;
      this.#position = position
        ? { epoch: position.epoch, step: position.step, sums: [...position.sums!] }
        : null;
      if (position) this.#layerStats?.loadStartWeights(position.startWeights ?? null);
      return Promise.resolve();
    });
  }

  keepBest(epoch: number): void {
    this.#keptWeights().keepBest(epoch);
  }

  restoreWeights(from: "best" | number): Promise<void> {
    return this.#queue.run(() => {
      this.#keptWeights().restore(from);
      return Promise.resolve();
    });
  }

  #keptWeights(): KeptWeights {
    if (!this.#kept) throw new Error("This session keeps no weights: the run has no earlyStopping");
    return this.#kept;
  }

  /** Copies `state` into the model after checking that names and shapes match one to one. */
  #loadState(state: NamedTensor[]): void {
    const given = new Map(state.map((tensor) => [tensor.name, tensor]));
    const own = [...this.model.parameters, ...this.model.buffers];
    for (const name of given.keys()) {
      if (!own.some((tensor) => tensor.name === name)) {
        const known = own.map((tensor) => tensor.name).join(", ");
        throw new Error(`Unknown state tensor "${name}"; this model has ${known}`);
      }
    }
    for (const tensor of own) {
      const source = given.get(tensor.name);
      if (source === undefined) throw new Error(`State tensor "${tensor.name}" is missing`);
      if (source.data.length !== tensor.data.length || `${source.shape}` !== `${tensor.shape}`) {
        throw new Error(
          `State tensor "${tensor.name}" has shape [${source.shape}], expected [${tensor.shape}]`,
        );
      }
    }
    for (const tensor of own) tensor.data.set(given.get(tensor.name)!.data);
  }

  get bytesAllocated(): number {
    let bytes = this.model.bytesAllocated;
    for (const buffers of Object.values(this.optimizer.state)) {
      for (const buffer of buffers) bytes += buffer.byteLength;
    }
    for (const split of [this.data.train, this.data.dev, this.data.test]) {
      bytes += split.inputs.byteLength + split.labels.byteLength;
    }
    return bytes + this.#inputs.byteLength + this.#labels.byteLength +
      this.#dLogits.byteLength + this.#predicted.byteLength;
  }

  dispose(): void {
    this.#inputs = new Float32Array(0);
    this.#inputGather = null;
    this.#labels = new Uint8Array(0);
    this.#dLogits = new Float32Array(0);
    this.#predicted = new Uint8Array(0);
  }
}

/**
 * Batch norm cannot train on a single row (torch raises "Expected more than 1 value per channel
 * when training"); fail before the first epoch rather than at the step that makes one.
 */
function assertBatchesOfTwo(config: RunConfig, count: number, batchSize: number): void {
  const lastBatch = count - (Math.ceil(count / batchSize) - 1) * batchSize;
  if (Math.min(batchSize, lastBatch) >= 2) return;
  throw new RangeError(
    `Batch norm needs batches of at least 2 rows, but batch.mode "${config.batch.mode}" with ` +
      `size ${batchSize} over ${count} training rows makes a batch of 1; ` +
      `use a batch size that leaves no single-row batch or turn batchNorm off`,
  );
}

/** A function to await between units of work: it yields to the event loop every ~200 ms. */
function eventLoopPacer(): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < YIELD_EVERY_MS) return;
    // A macrotask, not a resolved promise: only that lets a worker's message handler run.
    await new Promise((resolve) => setTimeout(resolve, 0));
    last = performance.now();
  };
}

/** `{ startWeights }` when there are some, to spread into a position. */
function withStartWeights(weights: NamedTensor[] | null): { startWeights?: NamedTensor[] } {
  return weights ? { startWeights: weights } : {};
}

function maxSplitCount(data: PreparedData): number {
  return Math.max(data.train.count, data.dev.count, data.test.count, 1);
}
