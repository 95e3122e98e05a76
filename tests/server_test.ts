/**
 * The real app over real HTTP: what a person or a script sees after `deno task start`.
 */

import assert from "node:assert/strict";
import { defaultDatasetRoots } from "../config/paths.ts";
import { openDb } from "../db/client.ts";
import { RunService } from "../jobs/run_service.ts";
import { StudyService } from "../jobs/study_service.ts";
import type { AutoReport } from "../engine/auto_device.ts";
import { startServer } from "../main.ts";
import { createApp } from "../routes/app.ts";

Deno.test("server answers the API and the start page over HTTP", async (t) => {
  const datasetRoots = defaultDatasetRoots();
  const { db, close } = await openDb({ url: ":memory:" });
  const service = new RunService(db);
  const studies = new StudyService(db, service);
  const app = createApp({ datasetRoots, db, service, studies });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  const base = `http://127.0.0.1:${server.addr.port}`;
  const get = (path: string) => fetch(`${base}${path}`);

  try {
    await t.step("GET /api/health reports ok, the version and the uptime", async () => {
      const response = await get("/api/health");
      assert.equal(response.status, 200);
      const body = await response.json();
      assert.equal(body.ok, true);
      assert.match(body.version, /^\d+\.\d+\.\d+/);
      assert.equal(typeof body.uptimeSeconds, "number");
    });

    await t.step("GET /api/datasets lists MNIST with its official sizes", async () => {
      const datasets = await (await get("/api/datasets")).json();
      const mnist = datasets.find((dataset: { id: string }) => dataset.id === "mnist");
      assert.deepEqual(
        { train: mnist.train, test: mnist.test, features: mnist.features, classes: mnist.classes },
        { train: 60000, test: 10000, features: 784, classes: 10 },
      );
      assert.equal(mnist.imageSide, 28);
      assert.ok(datasets.some((dataset: { id: string }) => dataset.id === "synthetic-binary"));
    });

    await t.step("GET /api/device describes a WebGPU adapter, or why there is none", async () => {
      const device = await (await get("/api/device")).json();
      if (device.backend === "webgpu") {
        assert.equal(typeof device.description, "string");
        assert.equal(typeof device.isFallbackAdapter, "boolean");
        assert.ok(device.limits.maxStorageBufferBindingSize > 0);
        assert.ok(Array.isArray(device.features));
      } else {
        assert.equal(device.backend, "cpu");
        assert.equal(typeof device.reason, "string");
      }
    });

    await t.step("GET / shows the datasets and 24 MNIST samples as PNG images", async () => {
      const response = await get("/");
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /text\/html/);
      const html = await response.text();
      assert.match(html, /^<!DOCTYPE html>/);
      assert.ok(html.includes("MNIST") && html.includes("Synthetic binary"));
      const images = html.match(/<img src="data:image\/png;base64,/g) ?? [];
      assert.ok(images.length >= 24, `expected 24 sample images, found ${images.length}`);
      assert.ok(html.includes('src="/static/htmx.min.js"'));
    });

    await t.step("GET /static/htmx.min.js serves htmx from node_modules", async () => {
      const response = await get("/static/htmx.min.js");
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /javascript/);
      assert.match(await response.text(), /htmx/);
    });

    await t.step("an unknown API route is a JSON 404", async () => {
      const response = await get("/api/no-such-thing");
      assert.equal(response.status, 404);
      assert.match(response.headers.get("content-type") ?? "", /application\/json/);
      assert.match((await response.json()).error, /No route for GET \/api\/no-such-thing/);
    });
  } finally {
    await server.shutdown();
    await service.shutdown();
    close();
  }
});

Deno.test("startServer() listens on the port it was given, 0 picking a free one", async () => {
  const server = await startServer({ host: "127.0.0.1", port: 0, db: ":memory:", quiet: true });
  try {
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    const health = await (await fetch(`${server.url}/api/health`)).json();
    assert.equal(health.ok, true);
    const { auto, ...device } = await (await fetch(`${server.url}/api/device`)).json();
    assert.deepEqual(device, server.device);
    assertAutoReport(auto, server.device.backend === "webgpu");
  } finally {
    await server.shutdown();
  }
});

/**
 * GET /api/device's `auto`: what device "auto" chooses here and why. With an adapter (and the
 * default AJUSTE_AUTO_DEVICE=measure), the figures measured for the CPU backend and the adapter,
 * and for each example shape the backend predicted fastest from them.
 */
function assertAutoReport(auto: AutoReport, adapter: boolean) {
  assert.ok(["measure", "rule"].includes(auto.mode));
  assert.equal(typeof auto.rule, "string");
  assert.deepEqual(auto.examples.map((example) => example.batch), [1, 32, 128, 1024]);
  if (!adapter || auto.mode === "rule") {
    assert.equal(auto.calibration, null);
    if (!adapter) assert.ok(auto.examples.every((example) => example.backend === "cpu"));
    return;
  }
  const candidates = auto.calibration!.candidates;
  assert.deepEqual(candidates.map((candidate) => candidate.backend), ["cpu", "webgpu"]);
  for (const candidate of candidates) {
    assert.ok(candidate.flopsPerSecond > 0 && candidate.parametersPerSecond > 0);
    assert.equal(candidate.timed.length, 3);
  }
  for (const example of auto.examples) {
    const [cpu, gpu] = example.epochSeconds!;
    assert.equal(example.backend, gpu < cpu ? "webgpu" : "cpu", example.why);
    assert.match(example.why, /predicted an epoch of/);
  }
}

Deno.test("startServer() on a taken port fails with AddrInUse and creates no database", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const dir = await Deno.makeTempDir({ prefix: "ajuste-port-" });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    await assert.rejects(
      startServer({ host: "127.0.0.1", port, db: `file:${dir}/sub/a.db`, quiet: true }),
      Deno.errors.AddrInUse,
    );
    await assert.rejects(Deno.stat(`${dir}/sub`), Deno.errors.NotFound);
  } finally {
    taken.close();
    await Deno.remove(dir, { recursive: true });
  }
});
