import assert from "node:assert/strict";
import type { Backend, EpochOptions, EpochResult, TrainingSession } from "./backend.ts";
import { CpuBackend } from "./cpu/session.ts";
import type { PreparedData } from "./data/dataset.ts";
import type { RunConfig } from "./spec.ts";
import { train } from "./train.ts";

const config: RunConfig = {
  name: "queue",
  seed: 3,
  data: {
    dataset: "synthetic-binary",
    normalize: null,
    split: { train: 0.6, dev: 0.2, test: 0.2 },
  },
  model: {
    init: "default",
    layers: [{ units: 8, activation: "relu", batchNorm: false, dropout: 0 }],
  },
  loss: "cross_entropy",
  optimizer: {
    type: "sgd",
    lr: 0.1,
    momentum: 0,
    dampening: 0,
    weightDecay: 0,
    nesterov: false,
  },
  regularization: { l1: 0, l2: 0 },
  batch: { mode: "minibatch", size: 32, shuffle: true },
  epochs: 5,
  device: "cpu",
};

/**
 * The CPU backend, logging when each epoch is called, settles, and whether it was aborted; its
 * sessions say they queue epochs when `queues` is set, and hold each epoch's results until
 * `resultAt(epoch)` (a performance.now() time) when given.
 */
class LoggingBackend implements Backend {
  readonly kind = "cpu";
  readonly description = "logging CPU reference";
  readonly log: string[] = [];

  constructor(readonly queues = true, readonly resultAt?: (epoch: number) => number) {}

  async createSession(config: RunConfig, data: PreparedData): Promise<TrainingSession> {
    const session = await new CpuBackend().createSession(config, data);
    const { log, queues, resultAt } = this;
    return new Proxy(session, {
      get(target, key) {
        if (key === "queuesEpochs") return queues;
        if (key !== "trainEpoch") {
          const value = Reflect.get(target, key);
          return typeof value === "function" ? value.bind(target) : value;
        }
        return (epoch: number, options: EpochOptions = {}): Promise<EpochResult> => {
          log.push(`call ${epoch}`);
          const trained = target.trainEpoch(epoch, options);
          const result = resultAt
            ? trained.then(async (value) => {
              await new Promise((resolve) =>
                setTimeout(resolve, resultAt(epoch) - performance.now())
              );
              return value;
            })
            : trained;
          result.then(
            () => log.push(`result ${epoch}`),
            () => log.push(`aborted ${epoch}: ${options.signal?.aborted}`),
          );
          return result;
        };
      },
    });
  }
}

const roots = { mnist: "unused" };

Deno.test("train() calls one epoch after another's results when the session does not queue", async () => {
  const backend = new LoggingBackend(false);
  const result = await train(config, { roots, backend });
  assert.equal(result.status, "completed");
  assert.deepEqual(backend.log, [0, 1, 2, 3, 4].flatMap((e) => [`call ${e}`, `result ${e}`]));
});

Deno.test("train() queues each epoch before awaiting the last one's results when the session queues", async () => {
  const backend = new LoggingBackend();
  const result = await train(config, { roots, backend });
  assert.equal(result.status, "completed");
  assert.equal(result.epochs.length, 5);
  assert.deepEqual(backend.log, [
    "call 0",
    "call 1",
    "result 0",
    "call 2",
    "result 1",
    "call 3",
    "result 2",
    "call 4",
    "result 3",
    "result 4",
  ]);
  for (const epoch of result.epochs) {
    assert.ok(epoch.devAccuracy !== null && epoch.devAccuracy >= 0 && epoch.devAccuracy <= 1);
    assert.ok(epoch.seconds > 0);
  }
});

Deno.test("train() with queued epochs that come back in pairs reports each epoch's share of the time", async () => {
  // As on a GPU in Deno: the readback waits for all submitted work, so epochs 0 and 1 are back
  // together, then 2 and 3, … (here every 400 ms: a timer firing up to ~100 ms late on a busy
  // machine still leaves each epoch well inside the bounds below).
  const start = performance.now();
  const paired = new LoggingBackend(true, (epoch) => start + 400 * (Math.floor(epoch / 2) + 1));
  const result = await train(config, { roots, backend: paired });
  assert.equal(result.status, "completed");
  const seconds = result.epochs.map((epoch) => epoch.seconds);
  // Not 0.4, ~0, 0.4, ~0, …: from the second epoch on, each about half of a pair's 0.4 s.
  for (const s of seconds.slice(1)) assert.ok(s > 0.1 && s < 0.3, seconds.join(", "));
});

Deno.test("train() stopped after an epoch cancels the queued one and settles it before returning", async () => {
  const backend = new LoggingBackend();
  const controller = new AbortController();
  const result = await train(config, {
    roots,
    backend,
    signal: controller.signal,
    onEpoch: (record) => {
      if (record.epoch === 2) controller.abort();
    },
  });
  assert.equal(result.status, "cancelled");
  assert.deepEqual(result.epochs.map((epoch) => epoch.epoch), [1, 2]);
  // Epoch index 2 (the third) was queued while the second's results were handled.
  assert.deepEqual(backend.log.slice(-2), ["result 1", "aborted 2: true"]);
});

Deno.test("train() that diverges cancels the queued epoch", async () => {
  const backend = new LoggingBackend();
  const result = await train({ ...config, optimizer: { ...config.optimizer, lr: 1e30 } }, {
    roots,
    backend,
  });
  assert.equal(result.status, "diverged");
  assert.ok(backend.log.at(-1)?.startsWith("aborted"), backend.log.join(", "));
});
