/**
 * `deno task train` with early stopping: the table is followed by where the run stopped and its
 * best epoch, and --json carries them as earlyStop.
 *
 * @module
 */

import assert from "node:assert/strict";

async function runTrain(args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "--allow-sys", "cli/train.ts", ...args],
    cwd: new URL("..", import.meta.url),
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("deno task train prints where an early-stopped run stopped and its best epoch", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  // Random labels (synthetic-binary): the dev loss soon rises as the model memorises.
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      device: "cpu",
      seed: 5,
      epochs: 30,
      data: {
        dataset: "synthetic-binary",
        normalize: null,
        split: { train: 0.6, dev: 0.2, test: 0.2 },
      },
      model: { layers: [{ units: 32, batchNorm: true, dropout: 0.1 }] },
      optimizer: { type: "adam", lr: 0.01 },
      batch: { size: 32 },
      earlyStopping: { patience: 2 },
    }),
  );
  try {
    const json = await runTrain([path, "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const { earlyStop, epochs } = JSON.parse(json.stdout);
    assert.ok(earlyStop.stoppedEpoch < 30);
    assert.equal(epochs.length, earlyStop.stoppedEpoch);
    const text = await runTrain([path]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`\\n${earlyStop.message}\\nStatus: completed\\n`));
  } finally {
    await Deno.remove(path);
  }
});
