/**
 * A study's final model over real HTTP: from the API and from the new-run form, recorded as
 * coming from the study's best trial, and listed with its test metrics on the study page.
 */

import assert from "node:assert/strict";
import { occupyEngine, postJson, readSse, startTestServer } from "./service_helpers.ts";

const study = {
  name: "final-search",
  trials: 2,
  sampler: { type: "random", seed: 5 },
  pruner: { type: "none" },
  base: {
    epochs: 2,
    seed: 3,
    device: "cpu",
    data: {
      dataset: "synthetic-binary",
      trainSize: 200,
      split: { train: 0.8, dev: 0.1, test: 0.1 },
    },
    model: { layers: [{ units: 8 }] },
  },
  space: { "optimizer.lr": { type: "float", low: 1e-3, high: 1e-1, log: true } },
};

function postForm(url: string, values: Record<string, string>) {
  return fetch(url, { method: "POST", body: new URLSearchParams(values), redirect: "manual" });
}

/** The value of input `name` in a rendered form. */
function inputValue(html: string, name: string): string | undefined {
  const input = new RegExp(`<input[^>]*name="${name.replaceAll(".", "\\.")}"[^>]*>`).exec(html);
  return input ? /value="([^"]*)"/.exec(input[0])?.[1] : undefined;
}

Deno.test("a study's final model: from the API and the form, whole pool, recorded origin, listed with its test metrics", async (t) => {
  const server = await startTestServer();
  const { url } = server;
  try {
    const blocker = await occupyEngine(url);
    const { id } = await (await postJson(`${url}/api/studies`, study)).json();
    await t.step("no final model before a trial completes", async () => {
      const early = await postJson(`${url}/api/studies/${id}/train-best`, {});
      assert.equal(early.status, 409);
      assert.match((await early.json()).error, /has no complete trial/);
    });
    await blocker.release();
    await readSse(await fetch(`${url}/api/studies/${id}/events`));
    const report = await (await fetch(`${url}/api/studies/${id}`)).json();

    let apiRun: { id: number };
    await t.step(
      "POST /api/studies/:id/train-best queues the best trial on the whole pool",
      async () => {
        const bad = await postJson(`${url}/api/studies/${id}/train-best`, { epochs: 0 });
        assert.equal(bad.status, 400);
        assert.match((await bad.json()).issues[0].message, /Epochs .*got 0/);

        const response = await postJson(`${url}/api/studies/${id}/train-best`, {
          epochs: 5,
          foldDev: true,
        });
        assert.equal(response.status, 201);
        apiRun = await response.json();
        assert.equal(response.headers.get("Location"), `/api/runs/${apiRun.id}`);
        const run = await (await fetch(`${url}/api/runs/${apiRun.id}`)).json();
        assert.equal(run.config.data.trainSize, undefined, "the whole training pool");
        assert.deepEqual(run.config.data.split, { train: 0.9, dev: 0, test: 0.1 });
        assert.equal(run.config.epochs, 5);
        assert.equal(run.config.seed, 4, "the trial's seed + 1");
        assert.equal(run.config.optimizer.lr, report.bestParams["optimizer.lr"]);
        assert.deepEqual(
          { originStudyId: run.originStudyId, originTrialNumber: run.originTrialNumber },
          { originStudyId: id, originTrialNumber: report.bestTrial },
        );
        assert.equal(run.studyId, null, "not a trial run");
        const events = await readSse(await fetch(`${url}/api/runs/${apiRun.id}/events`));
        assert.equal(JSON.parse(events.at(-1)!.data).status, "completed");
      },
    );

    await t.step("Train the best opens the new-run form prefilled as the final model", async () => {
      const studyPage = await (await fetch(`${url}/studies/${id}`)).text();
      assert.ok(studyPage.includes(`href="/runs/new?study=${id}"`), "Train the best links it");

      const form = await (await fetch(`${url}/runs/new?study=${id}`)).text();
      assert.match(form, /Final model/);
      assert.equal(inputValue(form, "data.trainSize"), "", "train size cleared");
      assert.equal(inputValue(form, "epochs"), "4", "twice the trial's 2 epochs");
      assert.equal(inputValue(form, "seed"), "4");
      assert.equal(inputValue(form, "origin.study"), String(id));
      assert.equal(inputValue(form, "origin.trial"), String(report.bestTrial));
      assert.equal((await fetch(`${url}/runs/new?study=99`)).status, 404);

      const values: Record<string, string> = {};
      for (const m of form.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>/g)) {
        if (!/type="(radio|checkbox)"/.test(m[0]) || /checked/.test(m[0])) values[m[1]] = m[2];
      }
      for (const m of form.matchAll(/<select[^>]*name="([^"]+)"[\s\S]*?<\/select>/g)) {
        values[m[1]] = /<option[^>]*value="([^"]*)"[^>]*selected/.exec(m[0])?.[1] ?? "";
      }
      const folded = await (await postForm(`${url}/runs/new/validate`, {
        ...values,
        "final.dev": "fold",
      })).text();
      assert.equal(inputValue(folded, "data.split.dev"), "0", "folding sets dev to 0");
      assert.equal(inputValue(folded, "data.split.train"), "0.9");

      const launched = await postForm(`${url}/runs/new`, values);
      assert.equal(launched.status, 303);
      const runPage = await (await fetch(`${url}${launched.headers.get("Location")}`)).text();
      assert.match(
        runPage,
        new RegExp(
          `Final model of study <a href="/studies/${id}">final-search</a>\\s*\\(trial #${report.bestTrial}\\)`,
        ),
      );
    });

    await t.step("the study page lists its final models with their test metrics", async () => {
      const html = await (await fetch(`${url}/studies/${id}`)).text();
      const section = html.split('id="study-final-runs"')[1].split("</section>")[0];
      assert.equal(section.match(/<tr>/g)?.length, 3, "a header and two final runs");
      const { test } = await (await fetch(`${url}/api/runs/${apiRun.id}`)).json();
      const row = section.split(`href="/runs/${apiRun.id}"`)[1].split("</tr>")[0];
      assert.ok(row.includes("status-completed"));
      assert.ok(row.includes(`${(100 * test.accuracy).toFixed(2)}%`), row);
    });
  } finally {
    await server.close();
  }
});
