/**
 * The study pages over real HTTP with a real engine and database, as a browser without
 * JavaScript (plain form posts) and as htmx (fragment requests, the live stream) see them.
 */

import assert from "node:assert/strict";
import { type FormValues, tuneRunValues } from "../views/studies/study_form_state.ts";
import { postJson, readSse, startTestServer, tinyRun, waitFor } from "./service_helpers.ts";

function postForm(url: string, values: FormValues, headers: HeadersInit = {}) {
  return fetch(url, {
    method: "POST",
    body: new URLSearchParams(values),
    redirect: "manual",
    headers,
  });
}

/** Ids of inputs and selects that no `<label for>` names (hidden inputs need none). */
function unlabelled(html: string): string[] {
  const labelled = new Set([...html.matchAll(/<label for="([^"]+)"/g)].map((m) => m[1]));
  const controls = [...html.matchAll(/<(input|select)\b([^>]*)>/g)]
    .filter((m) => !/type="hidden"/.test(m[2]));
  return controls.map((m) => /id="([^"]+)"/.exec(m[2])?.[1] ?? m[0])
    .filter((id) => !labelled.has(id));
}

/**
 * The brief's tiny study as the form posts it: 3 trials of 2 epochs over a log-scaled lr. The
 * base fields are the New run editor's, as the form draws them for this run.
 */
const TINY: FormValues = {
  ...tuneRunValues({
    data: { dataset: "synthetic-binary", split: { train: 0.8, dev: 0.1, test: 0.1 } },
    model: { layers: [{ units: 8 }] },
    batch: { size: 32 },
    epochs: 2,
    device: "cpu",
  }),
  "study.name": "tiny <study>",
  "study.trials": "3",
  "study.sampler.type": "random",
  "study.sampler.seed": "3",
  "study.pruner.type": "none",
  "space.optimizer.lr.low": "0.001",
  "space.optimizer.lr.high": "0.1",
};

/** The same tiny study as a study file, for the JSON API. */
const STUDY_FILE = {
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

interface TrialJson {
  number: number;
  state: string;
  value: number | null;
  params: Record<string, number>;
  runId: number | null;
}

Deno.test("study pages: new-study form, starting, the study page, its stream and training the best", async (t) => {
  const server = await startTestServer();
  const { url } = server;
  const studyCount = async () => (await (await fetch(`${url}/api/studies`)).json()).studies.length;
  try {
    await t.step("the list and the start page say there are no studies yet", async () => {
      assert.match(await (await fetch(`${url}/studies`)).text(), /No studies yet\./);
      const home = await (await fetch(url)).text();
      assert.ok(home.includes("Recent studies") && home.includes('href="/studies"'));
    });

    await t.step("GET /studies/new labels every input and fills in a free name", async () => {
      const html = await (await fetch(`${url}/studies/new`)).text();
      for (const label of ["Study name", "Trials", "Sampler", "Pruner", "Hidden layers"]) {
        assert.ok(html.includes(`>${label}<`), `missing ${label}`);
      }
      assert.ok(html.includes(">Study file (JSON)<"));
      assert.match(html, /name="study.name"[^>]*value="mnist-lr"/);
      assert.match(html, /name="search.optimizer.lr"[^>]*checked/, "the lr is searched");
      assert.match(html, /name="space.optimizer.lr.low"[^>]*value="0.0001"/);
      assert.match(html, /name="search.model.layers.0.units"/, "every field can be searched");
      assert.deepEqual(unlabelled(html), []);
    });

    await t.step(
      "an invalid post re-renders with messages beside their fields, writing nothing",
      async () => {
        const values = { ...TINY, "study.name": "", "space.optimizer.lr.low": "0" };
        const response = await postForm(`${url}/studies/new`, values);
        assert.equal(response.status, 422);
        const html = await response.text();
        assert.match(
          html,
          /<p class="field-error" id="field-space-optimizer-lr-low-error">Low must be greater than 0 when log is true, got 0<\/p>/,
        );
        assert.match(html, /id="field-study-name-error">Study name must/);
        assert.match(
          html,
          /<a href="#field-space-optimizer-lr-low">Learning rate \(searched\) low<\/a>/,
        );
        assert.equal(await studyCount(), 0);
      },
    );

    await t.step("the base is checked against the dataset before starting", async () => {
      const html = await (await postForm(`${url}/studies/new`, {
        ...TINY,
        "data.split.train": "0.9",
        "data.split.test": "",
      })).text();
      assert.match(html, /id="field-data-split-test-error">Test fraction is required/);
      assert.equal(await studyCount(), 0);
    });

    await t.step(
      "fields switch to searched and sub-space rows come and go without JavaScript",
      async () => {
        const searched = { ...TINY, "search.optimizer.type": "on" };
        const html = await (await postForm(`${url}/studies/new`, { ...searched, refresh: "" }))
          .text();
        assert.match(html, /name="space.optimizer.type.choices"[^>]*value="sgd, adam"/);
        assert.ok(html.includes(">When sgd<") && html.includes(">When adam<"));
        const rows = "space.optimizer.type.when.sgd";
        const added = await postForm(`${url}/studies/new`, {
          ...searched,
          spaceAction: `add:${rows}`,
        });
        assert.equal(added.status, 200);
        assert.match(
          await added.text(),
          new RegExp(`name="${rows}.0.path"[^>]*value="optimizer.lr"`),
        );
        const renamed = await (await postForm(`${url}/studies/new`, {
          ...searched,
          [`${rows}.0.path`]: "optimizer.momentum",
          [`${rows}.0.shown`]: "optimizer.lr",
          refresh: "",
        })).text();
        assert.match(
          renamed,
          new RegExp(`name="${rows}.0.high"[^>]*value="0.99"`),
          "a new path starts from its range",
        );
        const removed = await (await postForm(`${url}/studies/new`, {
          ...searched,
          [`${rows}.0.path`]: "optimizer.momentum",
          spaceAction: `remove:${rows}.0`,
        })).text();
        assert.ok(!removed.includes(`name="${rows}.0.path"`));
        const depth = await (await postForm(`${url}/studies/new`, {
          ...TINY,
          "search.model.layers": "on",
          refresh: "",
        })).text();
        assert.match(depth, /name="space.model.layers.low"[^>]*value="1"/);
        assert.match(depth, /name="search.space.model.layers.layer.units"[^>]*checked/);
      },
    );

    await t.step("the validation fragment names problems and shows the study file", async () => {
      const html = await (await postForm(`${url}/studies/new/validate`, {
        ...TINY,
        "space.optimizer.lr.high": "high",
      })).text();
      assert.ok(!html.includes("<html"), "a fragment, not a page");
      assert.match(html, /High must be a finite number, got &quot;high&quot;/);
      assert.match(html, /&quot;optimizer.lr&quot;: \{/, "the study file shows the space");
    });

    let id = 0;
    await t.step("a valid post starts the study and redirects to its page", async () => {
      const response = await postForm(`${url}/studies/new`, TINY);
      assert.equal(response.status, 303);
      const location = response.headers.get("Location") ?? "";
      assert.match(location, /^\/studies\/\d+$/);
      id = Number(location.split("/").at(-1));
    });

    let trials: TrialJson[] = [];
    await t.step(
      "once its trials are done, the page shows them, the plots and no stream",
      async () => {
        trials = await waitFor(async () => {
          const report = await (await fetch(`${url}/api/studies/${id}`)).json();
          const done = report.trials.filter((trial: TrialJson) => trial.state === "COMPLETE");
          return done.length === 3 && !report.active ? report.trials : undefined;
        }, "3 complete trials");
        const html = await (await fetch(`${url}/studies/${id}`)).text();
        assert.ok(!html.includes("hx-sse:connect"));
        assert.ok(html.includes("Study #1 · tiny &lt;study&gt;") && !html.includes("<study>"));
        for (
          const text of ["Optimization history", "Parameter importances", "Intermediate values"]
        ) {
          assert.ok(html.includes(`>${text}<`), `missing ${text}`);
        }
        assert.ok(html.includes("Parallel coordinates"));
        const rows = html.split('<table><caption class="visually-hidden">Trials of the study')[1]
          .split("</tbody>")[0];
        assert.equal(rows.match(/<tr/g)?.length, 4, "a header and three trials");
        assert.equal(rows.match(/href="\/runs\/\d+"/g)?.length, 3, "each trial links its run");
        assert.ok(html.includes(`href="/runs/new?study=${id}"`), "Train the best opens the form");
      },
    );

    await t.step("the trials sort by value, best first, and filter by state", async () => {
      const html = await (await fetch(`${url}/studies/${id}?sort=value`)).text();
      const order = [...html.matchAll(/<tr[^>]*><td class="number">(\d+)<\/td>/g)]
        .map((m) => Number(m[1]));
      const expected = [...trials].sort((a, b) => b.value! - a.value! || a.number - b.number)
        .map((trial) => trial.number);
      assert.deepEqual(order, expected);
      assert.match(
        await (await fetch(`${url}/studies/${id}?state=PRUNED`)).text(),
        /No pruned trials\./,
      );
      assert.equal((await fetch(`${url}/studies/${id}?sort=best`)).status, 400);
      assert.equal((await fetch(`${url}/studies/99`)).status, 404);
    });

    await t.step("the list and the start page show the finished study", async () => {
      const list = await (await fetch(`${url}/studies`)).text();
      assert.ok(list.includes(`href="/studies/${id}">tiny &lt;study&gt;</a>`));
      assert.match(list, /3 \/ 3 · 3 complete/);
      assert.match(list, /<span class="badge status-completed">completed<\/span>/);
      assert.ok((await (await fetch(url)).text()).includes(`href="/studies/${id}"`));
    });

    await t.step("edit as new study fills the form from the study under a free name", async () => {
      const html = await (await fetch(`${url}/studies/new?from=${id}`)).text();
      assert.match(html, /name="study.name"[^>]*value="tiny &lt;study&gt;-2"/);
      assert.match(html, /name="space.optimizer.lr.low"[^>]*value="0.001"/);
      assert.match(html, /name="data.split.test"[^>]*value="0.1"/);
      assert.equal((await fetch(`${url}/studies/new?from=x`)).status, 400);
    });

    await t.step("tune from this run fills the base from a run", async () => {
      const run = trials[0].runId;
      const page = await (await fetch(`${url}/runs/${run}`)).text();
      assert.ok(page.includes(`href="/studies/new?run=${run}"`), "the run page offers it");
      const html = await (await fetch(`${url}/studies/new?run=${run}`)).text();
      assert.match(html, /The base is run #\d+/);
      assert.match(html, /<option value="synthetic-binary" selected>/);
      assert.match(html, /name="model.layers.0.units"[^>]*value="8"/);
      assert.equal((await fetch(`${url}/studies/new?run=999`)).status, 404);
    });

    await t.step("a taken name is refused beside the name field", async () => {
      const response = await postForm(`${url}/studies/new`, TINY);
      assert.equal(response.status, 422);
      assert.match(
        await response.text(),
        /Study name &quot;tiny &lt;study&gt;&quot; is taken by study #1/,
      );
      assert.equal(await studyCount(), 1);
    });

    await t.step("the live stream sends trials as fragments, then the finished page", async () => {
      // A long run holds the engine, so the study's first trial waits while the stream connects.
      const long = tinyRun({ name: "long", epochs: 400, batch: { mode: "stochastic" } });
      const { id: longId } = await (await postJson(`${url}/api/runs`, long)).json();
      // Training, not just queued: a queued run holds nothing, and the study's trials could take
      // the engine first and end before the stream below connects.
      await waitFor(async () => {
        const run = await (await fetch(`${url}/api/runs/${longId}`)).json();
        return run.status === "running" && run.epochs.length >= 1 ? run : undefined;
      }, "the long run training");
      // One trial at a time, on the engine the long run holds.
      const created = await postJson(`${url}/api/studies`, {
        ...STUDY_FILE,
        name: "streamed",
        parallel: 1,
      });
      const { id: streamedId } = await created.json();
      const stream = await fetch(`${url}/studies/${streamedId}/live?sort=value`);
      // The long run is cancelled once the stream's first update is in: cancelled earlier, the
      // tiny trials could all end (in about 0.1 s) before the stream first looks.
      let cancelled: Promise<Response> | undefined;
      const html = (await readSse(stream, () => {
        cancelled ??= postForm(`${url}/runs/${longId}/cancel`, {});
        return false;
      })).map((event) => event.data);
      await cancelled;
      assert.match(html[0], /<hx-partial hx-target="#study-trials" hx-swap="outerHTML">/);
      assert.match(html[0], /<hx-partial hx-target="#study-charts" hx-swap="outerHTML">/);
      assert.ok(html.length >= 2, "at least one update before the end");
      assert.match(html.at(-1)!, /^<hx-partial hx-target="#study-live" hx-swap="outerHTML">/);
      assert.ok(!html.at(-1)!.includes("hx-sse:connect"), "the finished body has no stream");
      assert.match(html.at(-1)!, /href="\/studies\/\d+\?sort=value&amp;state=COMPLETE"/);
    });
  } finally {
    await server.close();
  }
});

Deno.test("study pages: a study is stopped from its page, and one whose trials all failed says so", async (t) => {
  const server = await startTestServer();
  const { url } = server;
  const report = async (id: number) => await (await fetch(`${url}/api/studies/${id}`)).json();
  try {
    await t.step("a running study has a Stop button that works without JavaScript", async () => {
      const long = {
        ...STUDY_FILE,
        name: "long",
        // One trial in flight when Stop comes: it alone is re-queued.
        parallel: 1,
        base: { ...STUDY_FILE.base, epochs: 400, batch: { mode: "stochastic" } },
      };
      const { id } = await (await postJson(`${url}/api/studies`, long)).json();
      await waitFor(async () => {
        const trials: TrialJson[] = (await report(id)).trials;
        return trials.some((trial) => trial.state === "RUNNING") ? true : undefined;
      }, "a running trial");
      const running = await (await fetch(`${url}/studies/${id}`)).text();
      assert.match(running, new RegExp(`<form method="post" action="/studies/${id}/stop">`));
      assert.ok(!running.includes(`/studies/${id}/resume`));

      const response = await postForm(`${url}/studies/${id}/stop`, {});
      assert.equal(response.status, 303);
      assert.equal(response.headers.get("Location"), `/studies/${id}`);
      const html = await (await fetch(`${url}/studies/${id}`)).text();
      assert.match(html, /<span class="badge status-interrupted">stopped<\/span>/);
      assert.ok(html.includes(`action="/studies/${id}/resume"`), "resume is offered");
      assert.ok(!html.includes(`action="/studies/${id}/stop"`), "stop is not");
      assert.ok(!html.includes("hx-sse:connect"), "a stopped study streams nothing");
      assert.match(html, /Stopped before the trial finished; re-queued as trial 1/);
      assert.match(html, /stopped \(1 queued\): no worker is running it/);
      assert.equal((await postForm(`${url}/studies/${id}/stop`, {})).status, 409);
    });

    await t.step("a study whose every trial failed ends without a green badge", async () => {
      // Learning rates that make plain SGD on the MSE diverge in the first epoch.
      const doomed = {
        ...STUDY_FILE,
        name: "doomed",
        trials: 2,
        base: { ...STUDY_FILE.base, epochs: 1, loss: "mse", optimizer: { type: "sgd" } },
        space: { "optimizer.lr": { type: "float", low: 1e20, high: 1e30, log: true } },
      };
      const created = await postJson(`${url}/api/studies`, doomed);
      assert.equal(created.status, 201);
      const { id } = await created.json();
      const done = await waitFor(async () => {
        const state = await report(id);
        return state.status === "ended" ? state : undefined;
      }, "the study to end");
      assert.deepEqual(done.trials.map((trial: TrialJson) => trial.state), ["FAIL", "FAIL"]);
      const html = await (await fetch(`${url}/studies/${id}`)).text();
      assert.match(html, /<span class="badge status-failed">ended: no trial completed<\/span>/);
      assert.ok(!html.includes('status-completed">completed'));
      assert.ok(!html.includes("Waiting for the first complete trial"));
      assert.ok(html.includes("No trial completed"));
      assert.match(
        html,
        /<small class="fail-reason">Run \d+ diverged: Loss became NaN or infinite/,
      );
      const list = await (await fetch(`${url}/studies`)).text();
      assert.match(list, /<span class="badge status-failed">ended: no trial completed<\/span>/);
    });

    await t.step("a searched path the base cannot take is named at its row", async () => {
      const fragment = await (await postForm(`${url}/studies/new/validate`, {
        ...TINY,
        "extra.0.path": "optimizer.momentum",
        "extra.0.shown": "optimizer.momentum",
        "extra.0.type": "float",
        "extra.0.low": "0",
        "extra.0.high": "0.99",
      })).text();
      assert.match(
        fragment,
        /<p class="field-error">Cannot set &quot;optimizer.momentum&quot; to 0 \(low\): Unknown field &quot;momentum&quot; in adam optimizer \(the default type\); allowed/,
      );
      assert.match(fragment, /1 problem/);
    });
  } finally {
    await server.close();
  }
});
