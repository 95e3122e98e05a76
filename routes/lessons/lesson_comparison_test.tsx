/**
 * Every lesson launched from its button and its comparison rendered once its runs have trained:
 * the curves with a line per run and Inside the layers on the lesson's statistic with a line per
 * run. No engine starts; each queued run is claimed and trained here on the CPU reference, on a
 * few hundred rows for two epochs (the lesson's own size takes about a minute a lesson), and its
 * epochs are written through its lease as a trainer writes them.
 */

import assert from "node:assert/strict";
import { LESSONS } from "../../config/lessons.ts";
import { defaultDatasetRoots } from "../../config/paths.ts";
import { openDb } from "../../db/client.ts";
import { claimRun, finishJob, writeEpoch } from "../../db/jobs.ts";
import { getRun } from "../../db/runs.ts";
import { CpuBackend } from "../../engine/cpu/session.ts";
import type { RunConfig } from "../../engine/spec.ts";
import { train } from "../../engine/train.ts";
import { RunService } from "../../jobs/run_service.ts";
import { StudyService } from "../../jobs/study_service.ts";
import { COMPARE_STATISTICS } from "../../views/runs/layer_stats_charts.ts";
import { createApp } from "../app.ts";

const LEASE_MS = 60_000;
const roots = defaultDatasetRoots();

/** Run `id` trained to the end here on 300 rows for two epochs, its epochs stored. */
async function trainHere(db: Parameters<typeof getRun>[0], id: number) {
  const claim = await claimRun(db, "lesson-test", LEASE_MS, { runId: id });
  assert.ok(claim, `run ${id} is queued`);
  const stored = (await getRun(db, id))!.config as RunConfig;
  const config = { ...stored, data: { ...stored.data, trainSize: 300, testSize: 100 }, epochs: 2 };
  const result = await train(config, {
    roots,
    backend: new CpuBackend(),
    onEpoch: async (record) => {
      await writeEpoch(db, claim.lease, record, LEASE_MS);
    },
  });
  assert.equal(result.status, "completed");
  assert.ok(await finishJob(db, claim.lease, result, null));
}

Deno.test({
  name: "each lesson launches from its button and its comparison shows curves and layers per run",
  ignore: roots.mnist === undefined,
  async fn(t) {
    const { db, close } = await openDb({ url: ":memory:" });
    const service = new RunService(db);
    const studies = new StudyService(db, service);
    const app = createApp({
      datasetRoots: roots,
      probeDevice: () => Promise.resolve({ backend: "cpu", reason: "test" }),
      db,
      service,
      studies,
    });
    try {
      for (const lesson of LESSONS) {
        await t.step(lesson.id, async () => {
          const launched = await app.request(`/lessons/${lesson.id}`, { method: "POST" });
          assert.equal(launched.status, 303);
          const location = launched.headers.get("Location")!;
          const ids = /ids=([\d,]+)/.exec(location)![1].split(",").map(Number);
          assert.equal(ids.length, lesson.variants.length);
          for (const id of ids) await trainHere(db, id);

          const html = await (await app.request(location)).text();
          assert.match(html, new RegExp(`<title>Lesson: ${lesson.title}`));
          const runs = await Promise.all(ids.map(async (id) => (await getRun(db, id))!));
          // The curves: a dev line per run, two epochs each.
          const figure = html.slice(html.indexOf("<figure"));
          for (const run of runs) {
            assert.equal(run.epochs.length, 2);
            assert.ok(figure.includes(`#${run.id} ${run.name} · dev`), `${run.name}'s curve`);
          }
          // Inside the layers, on the lesson's statistic, a line per run.
          const layers = html.slice(html.indexOf('id="compare-layer-stats"'));
          const statistic = COMPARE_STATISTICS.find((s) => s.key === lesson.statistic);
          assert.ok(statistic, `${lesson.id}'s statistic ${lesson.statistic} is one of the page's`);
          assert.match(layers, new RegExp(`data-statistic="${lesson.statistic}"`));
          assert.ok(layers.includes(statistic.title), statistic.title);
          for (const run of runs) {
            assert.ok(layers.includes(`#${run.id} ${run.name}`), `${run.name}'s layer line`);
            assert.ok(run.epochs.every((epoch) => epoch.layers?.length), "layer statistics kept");
          }
        });
      }
    } finally {
      await service.shutdown();
      close();
    }
  },
});
