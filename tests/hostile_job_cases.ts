/**
 * The hostile corpus's work that would take the service down if it were queued (issue 14):
 * files that never end or block, secrets of the kernel's, models and grids too big to hold, and
 * smaller tricks. The test server's memory budget is 4 GiB (`tests/hostile_input_test.ts`),
 * whatever the machine.
 *
 * @module
 */

import { type HostileCase, run, study } from "./hostile_cases.ts";

/** A split for datasets without a test set, so only the dataset itself is wrong. */
const SPLIT = { train: 0.8, dev: 0.1, test: 0.1 };
const wide = (layers: number, units: number) => Array.from({ length: layers }, () => ({ units }));

export const JOB_CASES: HostileCase[] = [
  run({ epochs: 1, data: { dataset: "csv:/dev/zero", split: SPLIT } }, 400, "data.dataset"),
  run({ epochs: 1, data: { dataset: "csv:/dev/urandom", split: SPLIT } }, 400, "data.dataset"),
  run(
    { epochs: 1, data: { dataset: "csv:/proc/self/environ", split: SPLIT } },
    400,
    "data.dataset",
  ),
  run(
    { epochs: 1, data: { dataset: "csv:/sys/kernel/vmcoreinfo", split: SPLIT } },
    400,
    "data.dataset",
  ),
  run({ epochs: 1, data: { dataset: "idx:/proc/self", split: SPLIT } }, 400, "data.dataset"),
  run({ epochs: 1, data: { dataset: "idx:/dev", split: SPLIT } }, 400, "data.dataset"),
  run({ epochs: 1, data: { dataset: "csv:/etc", split: SPLIT } }, 400, "data.dataset"),
  run({ epochs: 1, data: { dataset: "idx:/etc/hostname", split: SPLIT } }, 400, "data.dataset"),
  run({ epochs: 1, model: { layers: wide(16, 8192) } }, 400, "model.layers"),
  run({ epochs: 1, device: "cpu", model: { layers: wide(4, 8192) } }, 400, "model.layers"),
  run({ epochs: 1, batch: { mode: "full" }, model: { layers: wide(4, 4096) } }, 400),
  run('{"epochs": 5, "epochs": 5000}', 400, "epochs"),
  run('{"model": {"layers": [{"units": 8, "units": 9000}]}}', 400, "model.layers.0.units"),
  run({ name: "a\u0000b" }, 400, "name"),
  run({ name: "invoice\u202Efdp.exe" }, 400, "name"),
  run({ name: "x\u2067y" }, 400, "name"),
  run({ name: "line\nbreak" }, 400, "name"),
  study("a NUL in its name", { name: "s\u0000s" }, "name"),
  study("a bidi override in its name", { name: "s\u202Es" }, "name"),
  {
    ...study("a key given twice", {}),
    body: '{"name": "dup", "trials": 1, "trials": 10000, "space": {"seed": {"type": "int", ' +
      '"low": 0, "high": 3}}}',
    issueAt: "trials",
  },
  study("a searched csv: dataset that is not there", {
    base: { epochs: 1, device: "cpu", data: { dataset: "synthetic-binary", split: SPLIT } },
    space: {
      "data.dataset": { type: "categorical", choices: ["synthetic-binary", "csv:/nope.csv"] },
    },
  }, "space.data.dataset.choices"),
  study("a searched dataset under /proc", {
    base: { epochs: 1, device: "cpu", data: { dataset: "synthetic-binary", split: SPLIT } },
    space: {
      "data.dataset": {
        type: "categorical",
        choices: ["synthetic-binary", "csv:/proc/self/environ"],
      },
    },
  }, "space.data.dataset.choices"),
  study("a grid of 2.3·10^18 points", {
    sampler: { type: "grid" },
    space: {
      seed: { type: "int", low: 0, high: 2 ** 32 - 1 },
      "model.layers.0.units": { type: "int", low: 1, high: 8192 },
      "batch.size": { type: "int", low: 1, high: 65536 },
    },
  }, "space"),
  study("trials whose widest layers do not fit", {
    base: {
      epochs: 1,
      device: "cpu",
      data: { dataset: "synthetic-binary", split: SPLIT },
      model: { layers: wide(6, 64) },
    },
    space: Object.fromEntries(
      [0, 1, 2, 3, 4, 5].map((
        i,
      ) => [`model.layers.${i}.units`, { type: "int", low: 16, high: 8192 }]),
    ),
  }, "space.model.layers.0.units"),
];
