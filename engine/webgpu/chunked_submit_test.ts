import assert from "node:assert/strict";
import { submitInChunks } from "./chunked_submit.ts";
import type { GpuContext } from "./gpu_context.ts";

/** A device that logs submits and waits; no GPU needed. */
function fakeContext(software: boolean) {
  const log: string[] = [];
  const device = {
    createCommandEncoder: () => ({ finish: () => ({}) }),
    queue: {
      submit: () => log.push("submit"),
      onSubmittedWorkDone: () => {
        log.push("wait");
        return Promise.resolve();
      },
    },
  };
  const context = {
    device,
    adapterInfo: { isFallbackAdapter: software },
    orLost: <T>(work: Promise<T>) => work,
  } as unknown as GpuContext;
  return { context, log };
}

Deno.test("submitInChunks() records every unit once, the first command buffer short", async () => {
  const { context, log } = fakeContext(false);
  const ranges: number[][] = [];
  await submitInChunks(context, 250, 100, (_, start, end) => ranges.push([start, end]), {
    label: "test",
    firstSubmit: 12,
  });
  assert.deepEqual(ranges, [[0, 12], [12, 112], [112, 212], [212, 250]]);
  assert.deepEqual(log, ["submit", "submit", "submit", "submit"], "no wait on a hardware adapter");
});

Deno.test("submitInChunks() waits once per 16 submits on hardware, after each on lavapipe", async () => {
  const hardware = fakeContext(false);
  await submitInChunks(hardware.context, 40, 1, () => {}, { label: "test" });
  assert.equal(hardware.log.filter((entry) => entry === "wait").length, 2); // after 16 and 32
  const software = fakeContext(true);
  await submitInChunks(software.context, 5, 1, () => {}, { label: "test" });
  assert.deepEqual(software.log, [
    "submit",
    ...Array.from({ length: 4 }, () => ["wait", "submit"]).flat(),
  ]);
});

Deno.test("submitInChunks() stops between submits once aborted, after the submitted work", async () => {
  const { context, log } = fakeContext(false);
  const controller = new AbortController();
  const ranges: number[][] = [];
  const work = submitInChunks(context, 10, 2, (_, start, end) => {
    ranges.push([start, end]);
    if (start === 2) controller.abort();
  }, { label: "test", signal: controller.signal });
  await assert.rejects(work, { name: "AbortError" });
  assert.deepEqual(ranges, [[0, 2], [2, 4]]);
  assert.deepEqual(log, ["submit", "submit", "wait"]);
});

Deno.test("submitInChunks() tells the units done only after the waits it makes anyway", async () => {
  const hardware = fakeContext(false);
  const done: number[] = [];
  await submitInChunks(hardware.context, 40, 1, () => {}, {
    label: "test",
    onDone: (units) => {
      done.push(units);
      hardware.log.push(`done ${units}`);
    },
  });
  // The same two waits as without it, each followed by the units submitted before it.
  assert.equal(hardware.log.filter((entry) => entry === "wait").length, 2);
  assert.deepEqual(done, [16, 32]);
  assert.equal(hardware.log.indexOf("done 16"), hardware.log.indexOf("wait") + 1);
});
