/**
 * What the per-epoch first-layer pictures (`engine/first_layer.ts`) cost, on DESIGN.md's default
 * model (784-512-256-10): each part of the path, timed apart.
 *
 * - GPU epoch (when an adapter is there): sessions with the snapshot off and on (`firstLayer`
 *   session option), in alternating order over `--rounds`, each `--epochs` epochs of 300 rows
 *   with layer statistics on (the snapshot's work does not grow with the epoch: one copy of the
 *   first layer's 512 × 784 weights into the epoch's one readback, 1.6 MB, and the host's pick);
 *   the median of epochs 2..N per session, then over the rounds, in wall and process CPU time.
 * - The epoch's readback alone, mapped with and without the first layer's weight behind the sums
 *   (and the host's pick), alternating: the part of the GPU's cost that the epochs' noise hides.
 * - The host's pick of the 32 largest-norm units from the weights (`strongestRows`): all the CPU
 *   backend adds to an epoch, and the GPU's host side.
 * - The epoch message's snapshot through the engine process's frame (V8 serialize + deserialize).
 * - The server drawing the 32 pictures, once per epoch while a page watches the run.
 *
 *     DENO_WEBGPU_BACKEND=vulkan deno run -A bench/first_layer_epoch_bench.ts [--rounds N]
 *       [--epochs N] [--device gpu|cpu]
 *
 * `--rounds 0` skips the sessions (the readback is still timed); `--device cpu` times the host
 * parts only.
 *
 * @module
 */

import { deserialize, serialize } from "node:v8";
import process from "node:process";
import { parseArgs } from "node:util";
import type { PreparedData } from "../engine/data/dataset.ts";
import { strongestRows } from "../engine/first_layer.ts";
import { Rng } from "../engine/random.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import { WebGpuSession } from "../engine/webgpu/session.ts";
import { unitImage } from "../views/runs/first_layer_images.ts";
import { benchConfig } from "./engine_bench.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    epochs: { type: "string", default: "4" },
    device: { type: "string", default: "gpu" },
  },
});
const rounds = Number(values.rounds);
const epochs = Number(values.epochs);
if (!(rounds >= 0 && epochs >= 2 && (values.device === "gpu" || values.device === "cpu"))) {
  throw new Error("--rounds N (0: the readback alone), --epochs N (≥ 2), --device gpu|cpu");
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median ms of `fn` over 15 runs after one warm-up. */
function timed(fn: () => void): number {
  fn();
  return median(Array.from({ length: 15 }, () => {
    const started = performance.now();
    fn();
    return performance.now() - started;
  }));
}

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** `count` rows of fixed pseudo-random pixels. */
function pixels(count: number): PreparedData["train"] {
  const inputs = Uint8Array.from({ length: count * 784 }, (_, i) => (i * 2654435761) >>> 24);
  return { count, inputs, labels: Uint8Array.from({ length: count }, (_, i) => i % 10) };
}

// The default model's first layer as initialised: 512 units × 784 inputs.
const rng = new Rng(1);
const weights = Float32Array.from({ length: 512 * 784 }, () => (rng.uniform() - 0.5) / 14);
const pick = timed(() => strongestRows(weights, 784));
const snapshot = strongestRows(weights, 784);
const frame = timed(() => deserialize(serialize({ type: "epoch", firstLayer: snapshot })));
const draw = timed(() => snapshot.indices.forEach((_, k) => unitImage(snapshot.weights, k, 28)));
console.log(
  `host, medians of 15: pick 32 of 512 units ${pick.toFixed(2)} ms; the message's frame ` +
    `(${(serialize(snapshot).length / 1024).toFixed(0)} KiB) ${frame.toFixed(2)} ms; ` +
    `server draws 32 pictures ${draw.toFixed(1)} ms`,
);

if (values.device === "gpu") {
  const data: PreparedData = {
    features: 784,
    classes: 10,
    transform: { scale: 1 / 255 / 0.5, shift: -1 },
    train: pixels(300),
    dev: pixels(16),
    test: pixels(16),
  };
  const config = benchConfig(128, epochs, null);
  const backend = await WebGpuBackend.create();
  console.log(`GPU: ${backend.description}; epochs of 300 rows, layer statistics on`);
  const typical = {
    off: { wall: [] as number[], cpu: [] as number[] },
    on: { wall: [] as number[], cpu: [] as number[] },
  };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? (["on", "off"] as const) : (["off", "on"] as const);
    for (const setting of order) {
      const session = await WebGpuSession.create(backend.context, config, data, {
        firstLayer: setting === "on",
      });
      const wall: number[] = [];
      const cpu: number[] = [];
      let last = { wall: performance.now(), cpu: cpuSeconds() };
      for (let epoch = 0; epoch < epochs; epoch++) {
        const result = await session.trainEpoch(epoch);
        if ((result.firstLayer !== undefined) !== (setting === "on")) {
          throw new Error(`Epoch ${epoch + 1}: the snapshot should be ${setting}`);
        }
        const now = { wall: performance.now(), cpu: cpuSeconds() };
        wall.push(now.wall - last.wall);
        cpu.push((now.cpu - last.cpu) * 1000);
        last = now;
      }
      session.dispose();
      typical[setting].wall.push(median(wall.slice(1)));
      typical[setting].cpu.push(median(cpu.slice(1)));
      console.log(
        `  round ${round + 1} ${setting}: epoch ${median(wall.slice(1)).toFixed(1)} ms wall, ` +
          `${median(cpu.slice(1)).toFixed(1)} ms CPU`,
      );
    }
  }
  // The readback alone, as the epoch's: its sums (here 2 layers × 64 words) mapped once, with and
  // without the first layer's weight copied behind them — the whole difference the GPU sees.
  const { device } = backend.context;
  const sumBytes = 2 * 64 * 4;
  const weightBytes = 512 * 784 * 4;
  const source = device.createBuffer({
    size: sumBytes + weightBytes,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  });
  const readback = async (withWeights: boolean) => {
    const started = performance.now();
    const size = sumBytes + (withWeights ? weightBytes : 0);
    const staging = device.createBuffer({
      size,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(source, 0, staging, 0, size);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const bytes = staging.getMappedRange().slice(0);
    staging.destroy();
    if (withWeights) strongestRows(new Float32Array(bytes, sumBytes), 784);
    return performance.now() - started;
  };
  const reads = { off: [] as number[], on: [] as number[] };
  await readback(true);
  for (let i = 0; i < 31; i++) {
    reads.off.push(await readback(false));
    reads.on.push(await readback(true));
  }
  source.destroy();
  const [readOff, readOn] = [median(reads.off), median(reads.on)];
  console.log(
    `readback, medians of 31 alternating: sums alone ${readOff.toFixed(2)} ms, with the first ` +
      `layer's 1.6 MB and the pick ${readOn.toFixed(2)} ms: ${
        (readOn - readOff).toFixed(2)
      } ms more`,
  );
  for (const clock of rounds > 0 ? (["wall", "cpu"] as const) : []) {
    const [off, on] = [median(typical.off[clock]), median(typical.on[clock])];
    console.log(
      `${clock}: off ${off.toFixed(1)} ms, on ${on.toFixed(1)} ms, the snapshot ` +
        `${(on - off).toFixed(1)} ms an epoch`,
    );
  }
  backend.destroy();
}
