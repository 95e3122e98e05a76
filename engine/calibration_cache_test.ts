import assert from "node:assert/strict";
import type { Calibration } from "./calibration.ts";
import { cachedCalibration, readCalibration, writeCalibration } from "./calibration_cache.ts";

function calibration(key: string, stepSeconds = 1e-4): Calibration {
  return {
    key,
    measuredAt: "2026-12-07T21:00:00.000Z",
    seconds: 0.5,
    candidates: [{
      backend: "cpu",
      description: "CPU, OpenBLAS",
      isFallbackAdapter: false,
      stepSeconds,
      parametersPerSecond: 3e8,
      flopsPerSecond: 5e10,
      epochSeconds: 0,
      timed: [],
    }],
  };
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "ajuste-calibration-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("cachedCalibration() measures once per key and reads the file after", () =>
  withDir(async (dir) => {
    const path = `${dir}/sub/device-calibration.json`;
    let measured = 0;
    const measure = (key: string) => () => {
      measured++;
      return Promise.resolve(calibration(key, measured * 1e-4));
    };
    const first = await cachedCalibration(path, "machine A", measure("machine A"));
    const again = await cachedCalibration(path, "machine A", measure("machine A"));
    assert.equal(measured, 1);
    assert.deepEqual(again, first);
    // Another adapter, CPU backend or version is another key: measured, and both kept.
    const other = await cachedCalibration(path, "machine B", measure("machine B"));
    assert.equal(measured, 2);
    assert.equal(other.candidates[0].stepSeconds, 2e-4);
    assert.deepEqual(await readCalibration(path, "machine A"), first);
    await assert.rejects(Deno.stat(`${path}.lock`), Deno.errors.NotFound);
  }));

Deno.test("readCalibration() ignores malformed files and entries missing figures", () =>
  withDir(async (dir) => {
    const path = `${dir}/c.json`;
    assert.equal(await readCalibration(path, "k"), null, "absent");
    await Deno.writeTextFile(path, "{not json");
    assert.equal(await readCalibration(path, "k"), null, "malformed");
    const old = calibration("k") as unknown as { candidates: Record<string, unknown>[] };
    delete old.candidates[0].parametersPerSecond;
    await Deno.writeTextFile(path, JSON.stringify({ k: old }));
    assert.equal(await readCalibration(path, "k"), null, "an entry from before a figure existed");
    assert.equal(await writeCalibration(path, calibration("k")), true);
    assert.deepEqual(await readCalibration(path, "k"), calibration("k"));
  }));

Deno.test("cachedCalibration() waits for a process measuring the same key, not measuring too", () =>
  withDir(async (dir) => {
    const path = `${dir}/c.json`;
    await Deno.writeTextFile(`${path}.lock`, "");
    let measured = false;
    const waiting = cachedCalibration(path, "k", () => {
      measured = true;
      return Promise.resolve(calibration("k", 9));
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writeCalibration(path, calibration("k"));
    await Deno.remove(`${path}.lock`);
    assert.deepEqual(await waiting, calibration("k"));
    assert.equal(measured, false);
  }));

Deno.test("cachedCalibration() takes over a lock left a minute ago by a process that died", () =>
  withDir(async (dir) => {
    const path = `${dir}/c.json`;
    await Deno.writeTextFile(`${path}.lock`, "");
    const old = new Date(Date.now() - 120_000);
    await Deno.utime(`${path}.lock`, old, old);
    const result = await cachedCalibration(path, "k", () => Promise.resolve(calibration("k", 7)));
    assert.equal(result.candidates[0].stepSeconds, 7);
    assert.deepEqual(await readCalibration(path, "k"), result);
  }));

Deno.test("cachedCalibration() without a file measures every time", async () => {
  let measured = 0;
  const measure = () => Promise.resolve(calibration("k", ++measured));
  await cachedCalibration(null, "k", measure);
  await cachedCalibration(null, "k", measure);
  assert.equal(measured, 2);
});
