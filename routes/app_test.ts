import assert from "node:assert/strict";
import { openDb } from "../db/client.ts";
import type { DeviceInfo } from "../engine/device.ts";
import { RunService } from "../jobs/run_service.ts";
import { StudyService } from "../jobs/study_service.ts";
import { createApp } from "./app.ts";

// No MNIST folder: only the generated dataset is listed, which keeps these tests instant.
const datasetRoots = { mnist: "/nonexistent/mnist" };
const cpu: DeviceInfo = { backend: "cpu", reason: "No WebGPU adapter found" };
// The engine worker starts on the first run, and these tests create none.
const { db, close } = await openDb({ url: ":memory:" });
const service = new RunService(db);
const studies = new StudyService(db, service);
Deno.test.afterAll(async () => {
  await service.shutdown();
  close();
});

function app(
  options: {
    token?: string;
    probeDevice?: () => Promise<DeviceInfo>;
    stopping?: AbortSignal;
    loopbackOnly?: boolean;
  } = {},
) {
  return createApp({
    datasetRoots,
    probeDevice: () => Promise.resolve(cpu),
    db,
    service,
    studies,
    ...options,
  });
}

Deno.test("createApp() probes the device once and serves the cached result", async () => {
  let probes = 0;
  const server = app({
    probeDevice: () => {
      probes++;
      return Promise.resolve(cpu);
    },
  });
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(await (await server.request("/api/device")).json(), cpu);
  }
  assert.equal(probes, 1);
});

Deno.test("GET /api/datasets/:id/samples returns the first labels, 24 by default", async () => {
  const server = app();
  const body = await (await server.request("/api/datasets/synthetic-binary/samples")).json();
  assert.equal(body.dataset, "synthetic-binary");
  assert.equal(body.samples.length, 24);
  assert.deepEqual(Object.keys(body.samples[0]), ["index", "label", "className"]);
  const three = await (await server.request("/api/datasets/synthetic-binary/samples?count=3"))
    .json();
  assert.deepEqual(three.samples, body.samples.slice(0, 3));
});

Deno.test("GET /api/datasets/:id/samples rejects a bad count with issues", async () => {
  const response = await app().request("/api/datasets/synthetic-binary/samples?count=ten");
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), {
    error: 'Count must be an integer from 1 to 1000, got "ten"',
    issues: [{ path: "count", message: 'Count must be an integer from 1 to 1000, got "ten"' }],
  });
});

Deno.test("GET /api/datasets/:id/samples is a 404 for datasets the server does not list", async () => {
  for (const id of ["cifar", encodeURIComponent("csv:/etc/passwd")]) {
    const response = await app().request(`/api/datasets/${id}/samples`);
    assert.equal(response.status, 404);
    assert.match((await response.json()).error, /Unknown dataset ".*": expected one of/);
  }
});

Deno.test("GET /fragments/samples swaps in a table for tabular data and updates the URL", async () => {
  const response = await app().request("/fragments/samples?dataset=synthetic-binary", {
    headers: { "HX-Request": "true" },
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("HX-Push-Url"), "/?dataset=synthetic-binary");
  const html = await response.text();
  assert.ok(!html.includes("<html"), "a fragment, not a page");
  assert.equal(html.match(/<tr>/g)?.length, 1 + 24);
});

Deno.test("GET /fragments/samples answers htmx with an error fragment for an unknown dataset", async () => {
  const response = await app().request("/fragments/samples?dataset=nope", {
    headers: { "HX-Request": "true" },
  });
  assert.equal(response.status, 404);
  assert.match(await response.text(), /^<p class="error">Unknown dataset &quot;nope&quot;/);
});

Deno.test("GET / works without JavaScript: the picker is a plain GET form to /", async () => {
  const html = await (await app().request("/?dataset=synthetic-binary")).text();
  assert.match(html, /<form[^>]*method="get" action="\/"/);
  assert.match(html, /<option value="synthetic-binary" selected>/);
  assert.match(html, /Every run trains on the CPU backend/);
});

Deno.test("an unknown page is an HTML 404", async () => {
  const response = await app().request("/nowhere");
  assert.equal(response.status, 404);
  assert.match(await response.text(), /No route for GET \/nowhere/);
});

Deno.test("createApp() with a token rejects requests without it, except health and static files", async () => {
  const server = app({ token: "s3cret" });
  const denied = await server.request("/api/runs");
  assert.equal(denied.status, 401);
  assert.match((await denied.json()).error, /Authorization: Bearer/);
  assert.equal((await server.request("/api/runs", bearer("wrong"))).status, 401);
  assert.equal((await server.request("/api/runs", bearer("s3cret"))).status, 200);
  assert.equal((await server.request("/api/health")).status, 200, "for load balancers");
  assert.equal((await server.request("/static/style.css")).status, 200);
});

Deno.test("createApp() with a token lets a browser in through ?token= and a cookie", async () => {
  const server = app({ token: "s3cret" });
  const first = await server.request("/runs?status=completed&token=s3cret", {
    headers: { Accept: "text/html,application/xhtml+xml" },
  });
  assert.equal(first.status, 303);
  assert.equal(first.headers.get("Location"), "/runs?status=completed", "the token leaves the URL");
  const cookie = first.headers.get("Set-Cookie") ?? "";
  assert.match(cookie, /^ajuste_token=s3cret;.*HttpOnly/);
  const next = await server.request("/api/runs", { headers: { Cookie: cookie.split(";")[0] } });
  assert.equal(next.status, 200);
  const script = await server.request("/api/runs?token=s3cret");
  assert.equal(script.status, 401, "the API takes the token in the Authorization header only");
  assert.match((await script.json()).error, /send "Authorization: Bearer <AJUSTE_TOKEN>"/);
  const sneaky = await server.request("//evil.example/?token=s3cret", {
    headers: { Accept: "text/html" },
  });
  assert.equal(sneaky.headers.get("Location"), "/evil.example/", "never another site");
});

function bearer(token: string): RequestInit {
  return { headers: { Authorization: `Bearer ${token}` } };
}

Deno.test("createApp() refuses new work with 503 once shutdown has begun, and still reads", async () => {
  const stopping = new AbortController();
  const server = app({ stopping: stopping.signal });
  stopping.abort();
  const post = await server.request("/api/runs", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: "{}",
  });
  assert.equal(post.status, 503);
  assert.match((await post.json()).error, /shutting down/);
  assert.equal(post.headers.get("Retry-After"), "5");
  assert.equal((await server.request("/api/runs")).status, 200);
});

Deno.test("createApp() on loopback without a token answers only loopback host names", async () => {
  const server = app({ loopbackOnly: true });
  for (const host of ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "localhost"]) {
    const response = await server.request("/api/health", { headers: { Host: host } });
    assert.equal(response.status, 200, host);
  }
  const rebound = await server.request("/api/runs", { headers: { Host: "evil.example:8000" } });
  assert.equal(rebound.status, 403);
  assert.match((await rebound.json()).error, /listens on loopback only/);
});
