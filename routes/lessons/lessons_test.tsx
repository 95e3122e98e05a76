import assert from "node:assert/strict";
import { lessonConfigs, LESSONS } from "../../config/lessons.ts";
import { parseRunConfig } from "../../config/schema.ts";
import { openDb } from "../../db/client.ts";
import { RunService } from "../../jobs/run_service.ts";
import { StudyService } from "../../jobs/study_service.ts";
import { startTestServer } from "../../tests/service_helpers.ts";
import { createApp } from "../app.ts";
import { type JobLimits, parseJobLimits } from "../../config/job_limits.ts";
import { defaultDatasetRoots } from "../../config/paths.ts";
import type { DatasetRoots } from "../../engine/data/load.ts";
import type { DeviceInfo } from "../../engine/device.ts";

const FASHION_MNIST = defaultDatasetRoots().fashionMnist;

/** Text as hono/jsx prints it. */
function escapeHtml(text: string): string {
  const entities: Record<string, string> = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
  };
  return text.replace(/[&<>"']/g, (c) => entities[c]);
}
const cpu = Promise.resolve<DeviceInfo>({ backend: "cpu", reason: "not probed in tests" });

/** The app on `datasetRoots` and a fresh in-memory database; no engine, so runs stay queued. */
async function testApp(datasetRoots: DatasetRoots, limits?: JobLimits) {
  const { db, close } = await openDb({ url: ":memory:" });
  const service = new RunService(db);
  const studies = new StudyService(db, service);
  return {
    app: createApp({ datasetRoots, db, service, studies, limits, probeDevice: () => cpu }),
    async [Symbol.asyncDispose]() {
      await service.shutdown();
      close();
    },
  };
}

Deno.test("lesson routes queue each lesson's runs as checked plain runs and open their comparison", async (t) => {
  // Without an engine the runs stay queued: what is tested is what was queued.
  const server = await startTestServer(undefined, { train: false });
  const { url } = server;
  try {
    await t.step("GET /lessons shows every lesson's card with its button", async () => {
      const response = await fetch(`${url}/lessons`);
      assert.equal(response.status, 200);
      const html = await response.text();
      assert.match(html, /<a href="\/lessons" aria-current="page">Lessons<\/a>/);
      assert.match(html, /href="\/static\/lessons.css"/);
      for (const lesson of LESSONS) {
        assert.ok(html.includes(`<h2 id="lesson-${lesson.id}">${lesson.title}</h2>`), lesson.id);
        assert.ok(html.includes(`action="/lessons/${lesson.id}"`), `${lesson.id}'s button`);
      }
      assert.equal([...html.matchAll(/<button type="submit"/g)].length, LESSONS.length);
      assert.equal((await fetch(`${url}/static/lessons.css`)).status, 200);
    });

    await t.step(
      "POST /api/lessons/:id queues every lesson's configs as given, and their comparison renders",
      async () => {
        for (const lesson of LESSONS) {
          const response = await fetch(`${url}/api/lessons/${lesson.id}`, { method: "POST" });
          const body = await response.json();
          assert.equal(response.status, 201, `${lesson.id}: ${JSON.stringify(body)}`);
          assert.equal(body.ids.length, lesson.variants.length);
          assert.equal(
            response.headers.get("Location"),
            `/runs/compare?ids=${body.ids.join(",")}&lesson=${lesson.id}`,
          );
          const expected = lessonConfigs(lesson).map((input) => {
            const parsed = parseRunConfig(input);
            if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
            return parsed.config;
          });
          const stored = await Promise.all(
            body.ids.map(async (
              id: number,
            ) => (await (await fetch(`${url}/api/runs/${id}`)).json())),
          );
          assert.deepEqual(stored.map((run) => run.status), stored.map(() => "queued"));
          assert.deepEqual(stored.map((run) => run.config), expected);
          const compare = await fetch(`${url}${response.headers.get("Location")}`);
          assert.equal(compare.status, 200, `${lesson.id}'s comparison`);
          const html = await compare.text();
          for (const config of expected) assert.ok(html.includes(config.name), config.name);
          // What to look for, from the lesson's card, above the curves.
          assert.ok(html.includes(`<h2 id="lesson-note-title">Lesson: ${lesson.title}</h2>`));
          assert.ok(html.includes(escapeHtml(lesson.lookFor)), `${lesson.id}'s look-for text`);
        }
      },
    );

    await t.step("the Lessons button redirects to a comparison of the runs it queued", async () => {
      const response = await fetch(`${url}/lessons/optimizers`, {
        method: "POST",
        redirect: "manual",
      });
      assert.equal(response.status, 303);
      const location = response.headers.get("Location")!;
      const ids = /^\/runs\/compare\?ids=([\d,]+)&lesson=optimizers$/.exec(location)![1]
        .split(",").map(Number);
      assert.equal(ids.length, 4);
      const compare = await fetch(`${url}${location}`);
      assert.equal(compare.status, 200);
      const html = await compare.text();
      for (const variant of ["sgd", "sgd+momentum", "rmsprop", "adam"]) {
        assert.ok(html.includes(`Lesson: optimizers — ${variant}`), variant);
      }
    });

    await t.step("GET /api/lessons lists the lessons with their configs", async () => {
      const { lessons } = await (await fetch(`${url}/api/lessons`)).json();
      assert.deepEqual(
        lessons.map((lesson: { id: string }) => lesson.id),
        LESSONS.map((l) => l.id),
      );
      assert.deepEqual(lessons[1].configs, lessonConfigs(LESSONS[1]));
    });

    await t.step("an unknown lesson is a 404 naming the lessons", async () => {
      const response = await fetch(`${url}/api/lessons/momentum`, { method: "POST" });
      assert.equal(response.status, 404);
      assert.match(
        (await response.json()).error,
        /"momentum" does not exist; the lessons are batch-modes/,
      );
    });
  } finally {
    await server.close();
  }
});

Deno.test("a lesson is refused, with nothing queued, where neither MNIST nor Fashion-MNIST is installed", async () => {
  await using test = await testApp({ mnist: "/nonexistent/mnist" });
  const response = await test.app.request("/api/lessons/dropout", { method: "POST" });
  assert.equal(response.status, 400);
  const body = await response.json();
  assert.match(body.issues[0].message, /Lessons train on mnist or fashion-mnist, and neither/);
  const page = await test.app.request("/lessons/dropout", { method: "POST" });
  assert.equal(page.status, 400);
  assert.match(await page.text(), /role="alert"[\s\S]*neither is installed/);
  const runs = await (await test.app.request("/api/runs")).json();
  assert.equal(runs.total, 0);
});

Deno.test({
  name: "a lesson falls back to Fashion-MNIST where MNIST is not installed",
  ignore: FASHION_MNIST === undefined,
  fn: async () => {
    await using test = await testApp({ mnist: "/nonexistent/mnist", fashionMnist: FASHION_MNIST });
    const response = await test.app.request("/api/lessons/batch-norm", { method: "POST" });
    const { ids } = await response.json();
    assert.equal(response.status, 201);
    assert.equal(ids.length, 2);
    for (const id of ids) {
      const run = await (await test.app.request(`/api/runs/${id}`)).json();
      assert.equal(run.config.data.dataset, "fashion-mnist");
    }
  },
});

Deno.test("a lesson over this server's memory budget is refused naming the run and the budget", async () => {
  const limits = parseJobLimits({ AJUSTE_MEMORY_BUDGET: "1000000" });
  await using test = await testApp(defaultDatasetRoots(), limits);
  const response = await test.app.request("/api/lessons/optimizers", { method: "POST" });
  assert.equal(response.status, 400);
  const { error, issues } = await response.json();
  assert.equal(error, "Cannot launch lesson optimizers");
  assert.match(
    issues[0].message,
    /^Lesson: optimizers — sgd: This run needs .* over the .*AJUSTE_MEMORY_BUDGET/,
  );
  assert.equal((await (await test.app.request("/api/runs")).json()).total, 0);
});
