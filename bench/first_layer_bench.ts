/**
 * What drawing a training run's first layer costs the server at each checkpoint
 * (`routes/runs/run_network_pages.tsx`): the checkpoint of DESIGN.md's default model
 * (784-512-256-10, Adam's two moments included) as the trainer saves it, decoded, and its first
 * layer's 32 largest-norm units drawn as PNGs. The engine reads nothing back for it (the
 * checkpoint is saved anyway), so this is all the pictures add, in the server's process; the
 * median of `--rounds` (default 15) after one warm-up, wall time.
 *
 *     deno run -A bench/first_layer_bench.ts [--rounds N]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { encodeCheckpoint } from "../engine/checkpoint.ts";
import { decodeCheckpoint } from "../engine/checkpoint.ts";
import { CpuBackend } from "../engine/cpu/session.ts";
import type { PreparedData } from "../engine/data/dataset.ts";
import { FIRST_LAYER_UNITS, firstLayerImages } from "../views/runs/first_layer_images.ts";
import { benchConfig } from "./engine_bench.ts";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "15" } } });
const rounds = Number(values.rounds);

/** 256 rows of random pixels: enough for a session whose state is the default model's. */
function pixels(count: number): PreparedData["train"] {
  const inputs = Uint8Array.from({ length: count * 784 }, (_, i) => (i * 2654435761) >>> 24);
  return { count, inputs, labels: Uint8Array.from({ length: count }, (_, i) => i % 10) };
}

const config = { ...benchConfig(128, 1, null), layerStats: false };
const data: PreparedData = {
  features: 784,
  classes: 10,
  transform: { scale: 1 / 255 / 0.5, shift: -1 },
  train: pixels(256),
  dev: pixels(16),
  test: pixels(16),
};
const session = await new CpuBackend().createSession(config, data);
await session.trainEpoch(0);
const bytes = encodeCheckpoint({
  epoch: 1,
  config,
  session: await session.checkpoint(),
  earlyStopping: null,
  startLoss: null,
});
session.dispose();

function drawOnce(): number {
  const started = performance.now();
  const { session } = decodeCheckpoint(bytes);
  const first = session.weights.find((t) => t.name === "hidden.0.linear.weight")!;
  const images = firstLayerImages(first.data, 28, FIRST_LAYER_UNITS);
  if (images.length !== FIRST_LAYER_UNITS) throw new Error("Expected 32 pictures");
  return performance.now() - started;
}

drawOnce();
const times = Array.from({ length: rounds }, drawOnce).sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(
  `checkpoint ${(bytes.length / 2 ** 20).toFixed(1)} MiB; decode + 32 pictures: median ` +
    `${median.toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times.at(-1)!.toFixed(1)}) ` +
    `over ${rounds} rounds`,
);
