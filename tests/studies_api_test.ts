import assert from "node:assert/strict";
import { postJson, readSse, startTestServer, waitFor } from "./service_helpers.ts";

const study = {
  name: "api-search",
  trials: 3,
  sampler: { type: "random", seed: 3 },
  pruner: { type: "none" },
  base: {
    epochs: 2,
    device: "cpu",
    data: { dataset: "synthetic-binary", split: { train: 0.8, dev: 0.1, test: 0.1 } },
    model: { layers: [{ units: 8 }] },
  },
  space: { "optimizer.lr": { type: "float", low: 1e-3, high: 1e-1, log: true } },
};

Deno.test("POST /api/studies runs the study in the server; its events end with done and GET reports every trial", async () => {
  const t = await startTestServer();
  try {
    const created = await postJson(`${t.url}/api/studies`, study);
    assert.equal(created.status, 201);
    const { id } = await created.json();
    const events = await readSse(await fetch(`${t.url}/api/studies/${id}/events`));
    assert.equal(events.at(-1)?.event, "done");
    const report = await (await fetch(`${t.url}/api/studies/${id}`)).json();
    assert.equal(report.trials.length, 3);
    assert.ok(
      report.trials.every((trial: { state: string; runId: number }) =>
        trial.state === "COMPLETE" && trial.runId > 0
      ),
    );
    assert.equal(
      report.bestValue,
      Math.max(...report.trials.map((trial: { value: number }) => trial.value)),
    );
    const runs = await (await fetch(`${t.url}/api/runs`)).json();
    assert.equal(runs.runs.length, 3, "each trial trained as a run");
    const list = await (await fetch(`${t.url}/api/studies`)).json();
    assert.equal(list.studies[0].complete, 3);
  } finally {
    await t.close();
  }
});

Deno.test("POST /api/studies rejects a bad study with issues at their paths and writes nothing", async () => {
  const t = await startTestServer();
  try {
    const bad = { ...study, space: { "optimizer.lrr": { type: "float", low: 0.1, high: 1 } } };
    const response = await postJson(`${t.url}/api/studies`, bad);
    assert.equal(response.status, 400);
    const body = await response.json();
    assert.ok(
      body.issues.some((issue: { path: string }) => issue.path.startsWith("space.optimizer.lrr")),
    );
    const list = await (await fetch(`${t.url}/api/studies`)).json();
    assert.equal(list.studies.length, 0);
    assert.equal((await fetch(`${t.url}/api/studies/7`)).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("POST /api/studies joins a study sent again with the same file and refuses a changed one", async () => {
  const t = await startTestServer();
  try {
    const first = await postJson(`${t.url}/api/studies`, { ...study, name: "again" });
    assert.equal(first.status, 201);
    const { id } = await first.json();
    // Defaults written out and keys in another order are the same study file.
    const same = {
      ...study,
      space: study.space,
      direction: "maximize",
      sampler: { seed: 3, type: "random" },
      name: "again",
    };
    const joined = await postJson(`${t.url}/api/studies`, same);
    assert.equal(joined.status, 200);
    assert.deepEqual(await joined.json(), { id, name: "again" });

    const changed = {
      ...study,
      name: "again",
      direction: "minimize",
      base: {
        ...study.base,
        data: { ...study.base.data, split: { train: 0.7, dev: 0.15, test: 0.15 } },
      },
    };
    const refused = await postJson(`${t.url}/api/studies`, changed);
    assert.equal(refused.status, 409);
    const body = await refused.json();
    assert.equal(
      body.error,
      'Study "again" already exists with a different direction, base; choose another name or ' +
        "send the same file",
    );
    assert.deepEqual(body.fields, ["direction", "base"]);
    const report = await (await fetch(`${t.url}/api/studies/${id}`)).json();
    assert.equal(report.direction, "maximize", "the stored study is unchanged");
    assert.equal(report.name, "again", "the name is under name, as in the list");
    assert.equal(report.study, "again", "and still under study");
  } finally {
    await t.close();
  }
});

Deno.test("POST /api/studies refuses a base or a searched data field every trial would fail on", async () => {
  const t = await startTestServer();
  try {
    const noTest = { ...study, base: { ...study.base, data: { dataset: "synthetic-binary" } } };
    const response = await postJson(`${t.url}/api/studies`, noTest);
    assert.equal(response.status, 400);
    const { issues } = await response.json();
    assert.equal(issues[0].path, "base.data.split.test");
    assert.match(issues[0].message, /^Test fraction is required for "synthetic-binary"/);

    const tooMany = {
      ...study,
      space: { "data.trainSize": { type: "int", low: 100, high: 10_000_000 } },
    };
    const ranged = await postJson(`${t.url}/api/studies`, tooMany);
    assert.equal(ranged.status, 400);
    const [issue] = (await ranged.json()).issues;
    assert.equal(issue.path, "space.data.trainSize.high");
    assert.match(
      issue.message,
      /^With data.trainSize = 10000000: Train size must be at most \d+ for "synthetic-binary"/,
    );
    const list = await (await fetch(`${t.url}/api/studies`)).json();
    assert.equal(list.studies.length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("POST /api/studies/:id/stop cancels the trial in flight, queues it again, and resume runs it", async () => {
  const t = await startTestServer();
  try {
    // Long trials: the first is still training when the stop comes.
    const long = {
      ...study,
      name: "long",
      trials: 2,
      // One at a time: the second trial waits while the first trains.
      parallel: 1,
      base: { ...study.base, epochs: 400, batch: { mode: "stochastic" } },
    };
    const { id } = await (await postJson(`${t.url}/api/studies`, long)).json();
    await waitFor(async () => {
      const report = await (await fetch(`${t.url}/api/studies/${id}`)).json();
      return report.trials.some((trial: { state: string; intermediateValues: unknown[] }) =>
          trial.state === "RUNNING" && trial.intermediateValues.length > 0
        )
        ? true
        : undefined;
    }, "a trial training");
    const stopped = await fetch(`${t.url}/api/studies/${id}/stop`, { method: "POST" });
    assert.equal(stopped.status, 200);
    const state = await stopped.json();
    assert.equal(state.status, "stopped");
    assert.equal(state.active, false);
    assert.deepEqual(state.trials.map((trial: { state: string }) => trial.state), [
      "FAIL",
      "WAITING",
    ]);
    assert.equal(
      state.trials[0].failReason,
      "Stopped before the trial finished; re-queued as trial 1",
    );
    const run = await (await fetch(`${t.url}/api/runs/${state.trials[0].runId}`)).json();
    assert.equal(run.status, "cancelled", "the trial's run was cancelled, not left training");
    assert.match(run.error, /^Stopped with its study's worker; the trial's parameters are queued/);

    const again = await fetch(`${t.url}/api/studies/${id}/stop`, { method: "POST" });
    assert.equal(again.status, 409);
    assert.match((await again.json()).error, /is not running in this server/);
    assert.equal((await fetch(`${t.url}/api/studies/99/stop`, { method: "POST" })).status, 404);

    // Resuming picks up the queued trial, with the stopped trial's parameters.
    const resumed = await fetch(`${t.url}/studies/${id}/resume`, {
      method: "POST",
      redirect: "manual",
    });
    assert.equal(resumed.status, 303);
    const retried = await waitFor(async () => {
      const report = await (await fetch(`${t.url}/api/studies/${id}`)).json();
      return report.trials[1].state === "RUNNING" ? report : undefined;
    }, "the queued trial to run");
    assert.equal(retried.status, "running");
    assert.deepEqual(retried.trials[1].params, state.trials[0].params);
    assert.equal((await fetch(`${t.url}/api/studies/${id}/stop`, { method: "POST" })).status, 200);
  } finally {
    await t.close();
  }
});

Deno.test("a pruned trial's run ends pruned and says by which pruner, after which epoch", async () => {
  const t = await startTestServer();
  try {
    // The grid's order (seed 0) trains lr 0.01 first; lr 1e-7 then barely moves the train loss,
    // above the first trial's at epoch 1, so the median pruner (one startup trial) stops it.
    const pruning = {
      ...study,
      name: "pruning",
      trials: 2,
      // One at a time: the second trial is judged against the first, complete.
      parallel: 1,
      metric: "trainLoss",
      direction: "minimize",
      sampler: { type: "grid", seed: 0 },
      pruner: { type: "median", nStartupTrials: 1 },
      base: { ...study.base, epochs: 4 },
      space: { "optimizer.lr": { type: "categorical", choices: [0.01, 1e-7] } },
    };
    const { id } = await (await postJson(`${t.url}/api/studies`, pruning)).json();
    await readSse(await fetch(`${t.url}/api/studies/${id}/events`));
    const report = await (await fetch(`${t.url}/api/studies/${id}`)).json();
    const states = report.trials.map((
      trial: { params: { "optimizer.lr": number }; state: string },
    ) => `${trial.params["optimizer.lr"]} ${trial.state}`);
    assert.deepEqual(states, ["0.01 COMPLETE", "1e-7 PRUNED"]);
    const run = await (await fetch(`${t.url}/api/runs/${report.trials[1].runId}`)).json();
    assert.equal(run.status, "pruned");
    assert.match(run.error, /^Pruned by the median pruner after epoch 1 \(trainLoss 0\.\d+\)$/);
    assert.equal(run.epochs.length, 1, "a pruned run stops after the epoch that condemned it");
    const page = await (await fetch(`${t.url}/runs/${run.id}`)).text();
    assert.match(page, /<span class="badge status-pruned"[^>]*>pruned<\/span>/);
    assert.match(page, /<p class="card muted">Pruned by the median pruner after epoch 1/);
    assert.ok(page.includes(`<a href="/studies/${id}">trial 1 of study #${id}</a>`));
    const events = await readSse(await fetch(`${t.url}/api/runs/${run.id}/events`));
    assert.deepEqual(
      events.filter((e) => e.event !== "epoch").map((e) => JSON.parse(e.data).status),
      ["pruned", "pruned"],
      "the stream's status and done say pruned",
    );
    const { runs } = await (await fetch(`${t.url}/api/runs?status=pruned`)).json();
    assert.deepEqual(runs.map((item: { id: number }) => item.id), [run.id]);
    assert.equal(runs[0].error, run.error);
    const list = await (await fetch(`${t.url}/runs?status=pruned&trials=include`)).text();
    assert.ok(list.includes(`title="${run.error}"`), "the runs table says why on hover");
    assert.ok(list.includes(`<a href="/studies/${id}">pruning #1</a>`), "and links its trial");
  } finally {
    await t.close();
  }
});
