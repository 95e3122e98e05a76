import assert from "node:assert/strict";
import { readCapped } from "./guarded_read.ts";

Deno.test("readCapped() reads a plain file whole, and refuses one over the cap", async () => {
  const path = await Deno.makeTempFile();
  try {
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256);
    await Deno.writeFile(path, bytes);
    assert.deepEqual(await readCapped(path, "IDX file", 70_000), bytes);
    await assert.rejects(
      () => readCapped(path, "IDX file", 69_999),
      /IDX file ".*" is 70000 bytes, over the limit of 69999/,
    );
    await Deno.writeFile(path, new Uint8Array());
    assert.deepEqual(await readCapped(path, "IDX file", 10), new Uint8Array());
  } finally {
    await Deno.remove(path);
  }
});
