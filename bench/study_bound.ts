/**
 * A lower bound for bench/study_bench.sh's 20-trial study on this machine: only the products of
 * its trials' training steps (forward and weight gradient of both layers, the output layer's input
 * gradient), on OpenBLAS on one thread, as each trial trains them (its batch size and width, 3
 * epochs of 9000 rows), with nothing else: no per-element work, evaluation, process or database.
 * Both ajuste and Optuna + PyTorch run these same products, so no study on N cores can take less
 * than this total ÷ N (bench/README.md, "A 20-trial study on one machine").
 *
 *   deno run -A bench/study_bound.ts bench/results/study/params.json
 *
 * (params.json is what bench/study_bench.sh writes: the study's 20 trials' parameters.)
 *
 * @module
 */

import { BlasGemm } from "../engine/cpu/blas_gemm.ts";
import { gemmLinearBackward, gemmLinearForward } from "../engine/cpu/linear_gemm.ts";

const ROWS = 9000;
const EPOCHS = 3;
const FEATURES = 784;
const CLASSES = 10;

const opened = BlasGemm.open(1);
if (!(opened instanceof BlasGemm)) throw new Error(`OpenBLAS did not load: ${opened.reason}`);
const blas: BlasGemm = opened;
const trials = JSON.parse(Deno.readTextFileSync(Deno.args[0])) as {
  params: Record<string, number>;
}[];

const random = (length: number) => Float32Array.from({ length }, () => Math.random() - 0.5);

/** Median seconds of one training step's products at this batch size and width. */
function stepSeconds(batch: number, units: number): number {
  const x = random(batch * FEATURES);
  const [w1, b1, w2, b2] = [
    random(units * FEATURES),
    random(units),
    random(CLASSES * units),
    random(CLASSES),
  ];
  const hidden = new Float32Array(batch * units);
  const logits = new Float32Array(batch * CLASSES);
  const dLogits = random(batch * CLASSES);
  const first = {
    dWeight: new Float32Array(units * FEATURES),
    dBias: new Float32Array(units),
    dX: null,
  };
  const output = {
    dWeight: new Float32Array(CLASSES * units),
    dBias: new Float32Array(CLASSES),
    dX: new Float32Array(batch * units),
  };
  const inner = { batch, inFeatures: FEATURES, outFeatures: units };
  const outer = { batch, inFeatures: units, outFeatures: CLASSES };
  const step = () => {
    gemmLinearForward(blas, x, w1, b1, inner, hidden);
    gemmLinearForward(blas, hidden, w2, b2, outer, logits);
    gemmLinearBackward(blas, hidden, w2, dLogits, outer, output);
    gemmLinearBackward(blas, x, w1, output.dX, inner, first);
  };
  for (let i = 0; i < 20; i++) step();
  const times: number[] = [];
  for (let i = 0; i < 31; i++) {
    const start = performance.now();
    step();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[15] / 1000;
}

let total = 0;
for (const { params } of trials) {
  const batch = params["batch.size"];
  // A short last batch costs its share of a full one.
  total += EPOCHS * (ROWS / batch) * stepSeconds(batch, params["model.layers.0.units"]);
}
console.log(
  `The products of the ${trials.length} trials' training steps on one thread: ${
    total.toFixed(2)
  } s; ` +
    `on two cores at best ${(total / 2).toFixed(2)} s (${blas.description})`,
);
