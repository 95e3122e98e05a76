/**
 * Hostile input against a real server (`tests/hostile_cases.ts` lists the requests): each gets a
 * clear 4xx, the server stays up, nothing is written and nothing leaks into Object.prototype.
 * Then oversized bodies, script in names shown by the pages, and the token gate on writes.
 *
 * Binding beyond loopback without AJUSTE_TOKEN is refused by `parseServerEnv()` (see
 * `config/env_test.ts`); the token gate itself on every route is in `routes/app_test.ts`.
 */

import assert from "node:assert/strict";
import { parseJobLimits } from "../config/job_limits.ts";
import { startServer } from "../main.ts";
import { HOSTILE_CASES, type HostileCase } from "./hostile_cases.ts";
import { JOB_CASES } from "./hostile_job_cases.ts";
import { postJson, readSse, startTestServer, tinyRun } from "./service_helpers.ts";

type Issue = { path: string; message: string };

function send(base: string, hostile: HostileCase): Promise<Response> {
  const headers: Record<string, string> = { ...hostile.headers };
  let body: BodyInit | undefined;
  if (hostile.body !== undefined) {
    const text = typeof hostile.body === "string" ? hostile.body : JSON.stringify(hostile.body);
    // A byte array makes fetch send no Content-Type at all; a string would be text/plain.
    body = new TextEncoder().encode(text);
    const type = hostile.contentType === undefined ? "application/json" : hostile.contentType;
    if (type !== null) headers["Content-Type"] = type;
  }
  return fetch(`${base}${hostile.path}`, {
    method: hostile.method ?? "GET",
    headers,
    body,
    redirect: "manual",
  });
}

async function checkResponse(hostile: HostileCase, response: Response): Promise<void> {
  const what = hostile.name;
  assert.ok(
    hostile.status.includes(response.status),
    `${what}: expected ${hostile.status.join(" or ")}, got ${response.status}`,
  );
  if (!hostile.path.startsWith("/api/")) {
    await response.body?.cancel();
    return;
  }
  assert.match(response.headers.get("Content-Type") ?? "", /^application\/json/, what);
  const json = await response.json();
  assert.equal(typeof json.error, "string", `${what}: an error message`);
  assert.ok(json.error.length > 0, `${what}: a non-empty error message`);
  if (json.issues !== undefined) {
    assert.ok(Array.isArray(json.issues) && json.issues.length > 0, `${what}: issues`);
    for (const issue of json.issues as Issue[]) {
      assert.equal(typeof issue.path, "string", what);
      assert.equal(typeof issue.message, "string", what);
    }
  }
  if (hostile.issueAt !== undefined) {
    const at = hostile.issueAt;
    const issues: Issue[] = json.issues ?? [];
    assert.ok(
      issues.some((issue) => issue.path === at || (at !== "" && issue.path.startsWith(`${at}.`))),
      `${what}: an issue at "${at}", got ${JSON.stringify(issues).slice(0, 300)}`,
    );
  }
}

/** What a run may take on the hostile tests' server, whatever machine runs them. */
const LIMITS = { ...parseJobLimits({}), memoryBudgetBytes: 4 * 2 ** 30, maxQueued: 3 };

Deno.test("hostile requests get clear 4xx answers, write nothing and leave the server up", async () => {
  const t = await startTestServer(undefined, { limits: LIMITS });
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
  try {
    for (const hostile of [...HOSTILE_CASES, ...JOB_CASES]) {
      await checkResponse(hostile, await send(t.url, hostile));
    }
    const health = await fetch(`${t.url}/api/health`);
    assert.equal(health.status, 200);
    assert.equal((await health.json()).ok, true);
    assert.deepEqual((await (await fetch(`${t.url}/api/runs`)).json()).runs, []);
    assert.deepEqual((await (await fetch(`${t.url}/api/studies`)).json()).studies, []);
    // The server runs in this process: pollution would show here.
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeKeys);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(t.server.service.events.subscriberCount, 0);
  } finally {
    await t.close();
  }
});

Deno.test("a 10 MB body is refused with 413 from its Content-Length, before it is sent", async () => {
  const t = await startTestServer();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: t.server.port });
  try {
    const head = [
      "POST /api/runs HTTP/1.1",
      `Host: 127.0.0.1:${t.server.port}`,
      "Content-Type: application/json",
      `Content-Length: ${10 * 1024 * 1024}`,
      "Connection: close",
      "",
      '{"name": "',
    ].join("\r\n");
    await conn.write(new TextEncoder().encode(head));
    // Only the first bytes were sent: a server waiting for the rest would never answer.
    const buffer = new Uint8Array(4096);
    const read = await conn.read(buffer);
    const answer = new TextDecoder().decode(buffer.subarray(0, read ?? 0));
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /Request body is larger than 1048576 bytes/);
  } finally {
    conn.close();
    await t.close();
  }
});

Deno.test("a chunked body is refused with 413 once it passes 1 MB, without waiting for its end", async () => {
  const t = await startTestServer();
  const abort = new AbortController();
  let sent = 0;
  // 2 MB, then the stream stalls until the test ends.
  const body = new ReadableStream<Uint8Array>({
    pull(controller): Promise<void> | void {
      if (sent >= 2 * 1024 * 1024) return new Promise(() => {});
      controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
      sent += 64 * 1024;
    },
  });
  try {
    const response = await fetch(`${t.url}/api/runs`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      signal: abort.signal,
    });
    assert.equal(response.status, 413);
    assert.match((await response.json()).error, /larger than 1048576 bytes/);
    assert.deepEqual((await (await fetch(`${t.url}/api/runs`)).json()).runs, []);
  } finally {
    abort.abort();
    await t.close();
  }
});

const SCRIPT_NAME = "<script>alert(1)</script><img src=x onerror=alert(2)>";
const ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;";

async function assertEscaped(base: string, path: string): Promise<void> {
  const response = await fetch(`${base}${path}`);
  assert.equal(response.status, 200, path);
  const html = await response.text();
  assert.ok(!html.includes("<script>alert(1)"), `${path} carries the raw <script> tag`);
  assert.ok(!html.includes("<img src=x"), `${path} carries the raw <img> tag`);
  // A chart's data is JSON in a <script type="application/json">, raw text that is never parsed
  // as markup; it only must not close its element, so it may hold no "<" at all.
  const data = [...html.matchAll(/<script type="application\/json"[^>]*>([^]*?)<\/script>/g)];
  for (const [, json] of data) assert.ok(!json.includes("<"), `${path}: a chart's JSON holds "<"`);
  const markup = html.replace(/<script type="application\/json"[^>]*>[^]*?<\/script>/g, "");
  assert.ok(!/onerror=alert/.test(markup.replaceAll(ESCAPED, "")), `${path} carries onerror`);
  // The compare page's legend is SVG drawn by ECharts, which escapes on its own terms.
  assert.ok(html.includes(ESCAPED) || html.includes("&lt;script&gt;"), `${path} shows the name`);
}

Deno.test("run and study names with markup are shown escaped on every page", async () => {
  const t = await startTestServer();
  try {
    const created = await postJson(`${t.url}/api/runs`, tinyRun({ name: SCRIPT_NAME }));
    assert.equal(created.status, 201);
    const { id } = await created.json();
    const other = (await (await postJson(`${t.url}/api/runs`, tinyRun())).json()).id;
    await t.server.service.whenIdle();
    for (const path of ["/", "/runs", `/runs/${id}`, `/runs/compare?ids=${id},${other}`]) {
      await assertEscaped(t.url, path);
    }
    // The live fragment stream repeats the run's state; check it carries no raw markup either.
    const live = await fetch(`${t.url}/runs/${id}/live`);
    if (live.status === 200) {
      const events = await readSse(live);
      assert.ok(!events.some((e) => e.data.includes("<script>alert(1)")), "live stream");
    } else await live.body?.cancel();

    const study = await postJson(`${t.url}/api/studies`, {
      name: SCRIPT_NAME,
      trials: 1,
      base: tinyRun({ name: undefined, epochs: 1 }),
      space: { seed: { type: "int", low: 0, high: 3 } },
    });
    assert.equal(study.status, 201, await study.clone().text());
    const studyId = (await study.json()).id;
    // The study pages are newer than the API: check them where this build has them.
    if ((await fetch(`${t.url}/studies`).then((r) => (r.body?.cancel(), r.status))) === 404) {
      console.log("no /studies pages in this build; skipped their check");
      return;
    }
    for (const path of ["/studies", `/studies/${studyId}`, "/"]) await assertEscaped(t.url, path);
  } finally {
    await t.close();
  }
});

Deno.test("a token-protected server refuses writes without the bearer token and writes nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ajuste-test-" });
  const server = await startServer({
    port: 0,
    host: "127.0.0.1",
    db: `file:${dir}/ajuste.db`,
    token: "s3cret",
    quiet: true,
  });
  const url = `http://127.0.0.1:${server.port}`;
  // postJson's init replaces its headers: give the Content-Type too.
  const bearer = (token: string) => ({
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
  });
  const auth = bearer("s3cret");
  try {
    for (const init of [{}, bearer("wrong")]) {
      const denied = await postJson(`${url}/api/runs`, tinyRun(), init);
      assert.equal(denied.status, 401);
      assert.match((await denied.json()).error, /Authorization: Bearer/);
    }
    const cancel = await postJson(`${url}/api/runs/1/cancel`, "");
    assert.equal(cancel.status, 401);
    await cancel.body?.cancel();
    const form = await fetch(`${url}/runs/new`, { method: "POST", body: new URLSearchParams() });
    assert.equal(form.status, 401);
    await form.body?.cancel();
    const list = await fetch(`${url}/api/runs`, auth);
    assert.deepEqual((await list.json()).runs, []);
    const allowed = await postJson(`${url}/api/runs`, tinyRun(), auth);
    assert.equal(allowed.status, 201);
    await allowed.body?.cancel();
  } finally {
    await server.service.whenIdle();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
