import assert from "node:assert/strict";
import { SerialQueue } from "./serial.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

Deno.test("SerialQueue runs operations in call order, each after the last has settled", async () => {
  const queue = new SerialQueue();
  const log: string[] = [];
  const operation = (name: string, turns: number) => async () => {
    log.push(`${name} starts`);
    for (let i = 0; i < turns; i++) await tick();
    log.push(`${name} ends`);
    return name;
  };
  // The first takes longest: without the queue the others would start and end inside it.
  const results = await Promise.all([
    queue.run(operation("a", 5)),
    queue.run(operation("b", 1)),
    queue.run(operation("c", 0)),
  ]);
  assert.deepEqual(results, ["a", "b", "c"]);
  assert.deepEqual(log, ["a starts", "a ends", "b starts", "b ends", "c starts", "c ends"]);
});

Deno.test("SerialQueue: a failed operation rejects its own caller and the next still runs", async () => {
  const queue = new SerialQueue();
  const failed = queue.run(() => Promise.reject(new Error("boom")));
  const next = queue.run(() => Promise.resolve("after"));
  await assert.rejects(failed, /boom/);
  assert.equal(await next, "after");
});
