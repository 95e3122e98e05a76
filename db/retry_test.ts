import assert from "node:assert/strict";
import { isTransient, retrying } from "./retry.ts";

Deno.test("isTransient() finds network and lock failures anywhere in the cause chain", () => {
  const wrapped = new Error("Failed query: select 1", { cause: new TypeError("fetch failed") });
  assert.ok(isTransient(wrapped));
  assert.ok(isTransient(Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" })));
  assert.ok(!isTransient(new Error("UNIQUE constraint failed: runs.id")));
  assert.ok(!isTransient(new Error("no such table: runs")));
});

Deno.test("retrying() retries transient failures with backoff, then succeeds", async () => {
  let calls = 0;
  const retries: number[] = [];
  const value = await retrying(() => {
    calls++;
    if (calls < 3) return Promise.reject(new TypeError("fetch failed"));
    return Promise.resolve("ok");
  }, { initialDelayMs: 1, onRetry: (_, attempt) => retries.push(attempt) });
  assert.equal(value, "ok");
  assert.equal(calls, 3);
  assert.deepEqual(retries, [1, 2]);
});

Deno.test("retrying() fails at once on other errors and gives up after its deadline", async () => {
  let calls = 0;
  await assert.rejects(
    () =>
      retrying(() => (calls++, Promise.reject(new Error("constraint failed"))), {
        initialDelayMs: 1,
      }),
    /constraint/,
  );
  assert.equal(calls, 1);
  await assert.rejects(
    () =>
      retrying(() => Promise.reject(new TypeError("fetch failed")), {
        initialDelayMs: 5,
        deadlineMs: 30,
      }),
    /fetch failed/,
  );
});
