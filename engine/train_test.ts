import assert from "node:assert/strict";
import type { Backend, EpochOptions, EpochResult, EvalResult, TrainingSession } from "./backend.ts";
import { CpuBackend } from "./cpu/session.ts";
import type { PreparedData } from "./data/dataset.ts";
import type { RunConfig } from "./spec.ts";
import { tinySgdRun } from "./train_fixtures.ts";
import { train } from "./train.ts";

const config = tinySgdRun({ name: "queue", seed: 3, batchSize: 32, epochs: 5 });

/**
 * The CPU backend, logging when each epoch is called, settles, and whether it was aborted; its
 * sessions say they queue epochs when `queues` is set.
 */
class LoggingBackend implements Backend {
  readonly kind = "cpu";
  readonly description = "logging CPU reference";
  readonly log: string[] = [];

  constructor(readonly queues = true) {}

  async createSession(config: RunConfig, data: PreparedData): Promise<TrainingSession> {
    const session = await new CpuBackend().createSession(config, data);
    const { log, queues } = this;
    return new Proxy(session, {
      get(target, key) {
        if (key === "queuesEpochs") return queues;
        if (key !== "trainEpoch") {
          const value = Reflect.get(target, key);
          return typeof value === "function" ? value.bind(target) : value;
        }
        return (epoch: number, options: EpochOptions = {}): Promise<EpochResult> => {
          log.push(`call ${epoch}`);
          const result = target.trainEpoch(epoch, options);
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
  // As on a GPU in Deno: the readback waits for all submitted work, so epochs 1 and 2 are back
  // together at 400 ms, then 3 and 4 at 800 ms, and 5 at 1200 ms. Not 0.4, 0, 0.4, 0, 0.4 s:
  // from the second epoch on, each gets half of its pair's 0.4 s.
  // Before them: the call, the warm-up's end (data and session ready, 150 ms) and training's start.
  const readings = [0, 150, 150, 550, 550, 950, 950, 1350];
  let warmup: number | undefined;
  const result = await train(config, {
    roots,
    backend: new LoggingBackend(true),
    now: () => readings.shift()!,
    onStart: (device) => {
      warmup = device.warmupSeconds;
    },
  });
  assert.equal(result.status, "completed");
  assert.deepEqual(result.epochs.map((epoch) => epoch.seconds), [0.4, 0.2, 0.2, 0.2, 0.2]);
  assert.equal(warmup, 0.15, "the warm-up is reported apart from epoch 1");
  assert.equal(readings.length, 0, "three readings before the first epoch and one per epoch");
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

Deno.test("train()'s test metrics, from the predictions' pass, are the session's evaluate('test')", async () => {
  for (const loss of ["cross_entropy", "bce"] as const) {
    let evaluated: EvalResult | undefined;
    const { test } = await train({ ...config, loss, epochs: 2 }, {
      roots: { mnist: "" },
      backend: new CpuBackend(),
      onFinish: async (session) => {
        evaluated = await session.evaluate("test");
      },
    });
    assert.ok(test && evaluated, loss);
    assert.deepEqual(
      { count: test.count, accuracy: test.accuracy, confusion: test.confusion },
      {
        count: evaluated.count,
        accuracy: evaluated.accuracy,
        confusion: Array.from(evaluated.confusion),
      },
      loss,
    );
    // bce's probabilities go back to logits first, which moves its mean by about 1e-9.
    assert.ok(Math.abs(test.loss - evaluated.loss) <= 1e-7 * evaluated.loss, loss);
  }
});

Deno.test("train() of a run after another on the same data ends as it would alone", async () => {
  const options = { roots: { mnist: "" }, backend: new CpuBackend() };
  const other = { ...config, model: { ...config.model, layers: [] }, epochs: 2 };
  const alone = await train(config, options);
  await train(other, options);
  const after = await train(config, options);
  assert.deepEqual(after.test, alone.test);
  assert.deepEqual(
    after.epochs.map((epoch) => epoch.trainLoss),
    alone.epochs.map((epoch) => epoch.trainLoss),
  );
});
