/**
 * The fast CPU backend's element-wise kernels against the reference's loops, alone, on the
 * default model's hidden layers (512 and 256 ReLU units, dropout 0.2): per batch size, the
 * median ms a training step spends in each (forward: ReLU, dropout mask, dropout; backward:
 * dropout, ReLU derivative; both layers) and in gathering the batch's MNIST-like inputs (784
 * bytes a row, four in five 0, from 20,000 rows), the two timed alternately call by call so a
 * noisy shared machine loads them alike; then the ms of an optimizer step over the default
 * model's 535,818 parameters, the reference's TypeScript against WebAssembly updating them in
 * its own memory, as the fast backend's sessions do.
 *
 *     deno run --allow-sys bench/cpu_elementwise_bench.ts [--batch 32,128,1024] [--steps 300]
 *
 * @module
 */

import { activationBackward, activationForward } from "../engine/cpu/activations.ts";
import { dropoutBackward, dropoutForward, dropoutMask } from "../engine/cpu/dropout.ts";
import { fastOptimizer } from "../engine/cpu/fast_kernels.ts";
import { gatherInputs } from "../engine/cpu/gather.ts";
import { createOptimizer } from "../engine/cpu/optim/optimizer.ts";
import { WasmGather } from "../engine/cpu/wasm_gather.ts";
import { WasmHiddenBlock } from "../engine/cpu/wasm_hidden_block.ts";
import { Rng } from "../engine/random.ts";
import type { OptimizerSpec } from "../engine/spec.ts";

const UNITS = [512, 256];
const DROPOUT = 0.2;
const FEATURES = 784;
const STORED_ROWS = 20000;
const TRANSFORM = { scale: 2 / 255, shift: -1 };
/** The default model's parameter tensors (784-512-256-10): each layer's weight, then its bias. */
const PARAMETERS = [784 * 512, 512, 512 * 256, 256, 256 * 10, 10];
const OPTIMIZERS: OptimizerSpec[] = [
  { type: "sgd", lr: 0.01, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
  {
    type: "rmsprop",
    lr: 1e-3,
    alpha: 0.99,
    eps: 1e-8,
    weightDecay: 0,
    momentum: 0,
    centered: false,
  },
  { type: "adam", lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false },
];

/** Medians of ms an optimizer step, the reference's and WebAssembly's alternating. */
function optimizerTimes(spec: OptimizerSpec, steps: number, rng: Rng): string {
  const reference = createOptimizer(spec, PARAMETERS);
  const params = PARAMETERS.map((size) => Float32Array.from({ length: size }, () => rng.normal()));
  const grads = PARAMETERS.map((size) => Float32Array.from({ length: size }, () => rng.normal()));
  const fast = fastOptimizer(spec, PARAMETERS);
  const storage = fast.storage!();
  const slots = PARAMETERS.map((size, t) => {
    const slot = storage.take(size);
    slot.data.set(params[t]);
    slot.grad.set(grads[t]);
    return slot;
  });
  const [fastParams, fastGrads] = [slots.map((s) => s.data), slots.map((s) => s.grad)];
  const [a, b]: number[][] = [[], []];
  for (let step = 0; step < steps; step++) {
    a.push(time(() => reference.step(params, grads)));
    b.push(time(() => fast.step(fastParams, fastGrads)));
  }
  const cell = (values: number[]) => median(values.slice(steps / 5)).toFixed(3);
  return `${spec.type} reference ${cell(a)}, wasm ${cell(b)}`;
}

function flag(name: string, fallback: string): string {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 && at + 1 < Deno.args.length ? Deno.args[at + 1] : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

/** ms of `run` once. */
function time(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

if (import.meta.main) {
  const batches = flag("batch", "32,128,1024").split(",").map(Number);
  const steps = Number(flag("steps", "300"));
  console.log(`load average ${Deno.loadavg().map((l) => l.toFixed(2))}`);
  const rng = new Rng(1);
  const examples = {
    count: STORED_ROWS,
    inputs: Uint8Array.from({ length: STORED_ROWS * FEATURES }, () => {
      return rng.uniform() < 0.8 ? 0 : rng.int(256);
    }),
    labels: new Uint8Array(STORED_ROWS),
  };
  for (const batch of batches) {
    const layers = UNITS.map((units) => {
      const size = batch * units;
      const spec = { units, activation: "relu" as const, batchNorm: false, dropout: DROPOUT };
      const fused = new WasmHiddenBlock(size, spec);
      const z = Float32Array.from({ length: size }, () => rng.normal());
      const dY = Float32Array.from({ length: size }, () => rng.normal());
      fused.buffers.z.set(z);
      const reference = {
        z,
        activated: new Float32Array(size),
        mask: new Uint8Array(size),
        dropped: new Float32Array(size),
        grad: new Float32Array(size),
      };
      return { size, fused, reference, dY };
    });
    const gather = new WasmGather(batch * FEATURES);
    const gathered = new Float32Array(batch * FEATURES);
    const ms: Record<string, number[]> = {};
    const add = (name: string, value: number) => (ms[name] ??= []).push(value);
    for (let step = 0; step < steps; step++) {
      let [referenceForward, referenceBackward, fusedForward, fusedBackward] = [0, 0, 0, 0];
      layers.forEach(({ size, fused, reference: r, dY }, layer) => {
        referenceForward += time(() => {
          activationForward("relu", r.z, r.activated);
          dropoutMask(DROPOUT, 0, step, layer, r.mask);
          dropoutForward(r.activated, r.mask, DROPOUT, r.dropped);
        });
        fusedForward += time(() => fused.forward(size, { seed: 0, step, layer }));
        r.grad.set(dY);
        fused.buffers.grad.set(dY);
        referenceBackward += time(() => {
          dropoutBackward(r.grad, r.mask, DROPOUT, r.grad);
          activationBackward("relu", r.z, r.activated, r.grad, r.grad);
        });
        fusedBackward += time(() => fused.backward(size));
      });
      add("reference forward", referenceForward);
      add("fused forward", fusedForward);
      add("reference backward", referenceBackward);
      add("fused backward", fusedBackward);
      const rows = Uint32Array.from({ length: batch }, () => rng.int(STORED_ROWS));
      add(
        "reference gather",
        time(() => gatherInputs(examples, FEATURES, rows, TRANSFORM, gathered)),
      );
      add(
        "wasm gather",
        time(() => gather.gather(examples, FEATURES, rows, TRANSFORM, gather.inputs)),
      );
    }
    const cells = Object.entries(ms).map(([name, values]) =>
      `${name} ${median(values.slice(steps / 5)).toFixed(3)}`
    );
    console.log(`batch ${batch}, ms a step: ${cells.join(", ")}`);
  }
  const optimizers = OPTIMIZERS.map((spec) => optimizerTimes(spec, Math.min(steps, 100), rng));
  console.log(`optimizer step, ms: ${optimizers.join("; ")}`);
}
