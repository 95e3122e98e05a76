/**
 * The dashboard's pages over real HTTP with a real engine and database, as a browser without
 * JavaScript (plain form posts) and as htmx (fragment requests, the live stream) see them.
 */

import assert from "node:assert/strict";
import { parseRunConfig } from "../config/schema.ts";
import type { RunConfig } from "../engine/spec.ts";
import { configToValues, type FormValues, shareUrl } from "../views/run_editor/run_form_state.ts";
import { postJson, readSse, startTestServer, tinyRun, waitFor } from "./service_helpers.ts";

function parsed(input: unknown): RunConfig {
  const result = parseRunConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

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

const tiny = parsed(tinyRun({ name: "form tiny" }));

Deno.test("pages: new-run form, launching, run page, live stream, list and compare", async (t) => {
  const server = await startTestServer();
  const { url } = server;
  const runCount = async () => (await (await fetch(`${url}/api/runs`)).json()).runs.length;
  try {
    await t.step(
      "GET /runs/new labels every input and shows Adam's fields by default",
      async () => {
        const html = await (await fetch(`${url}/runs/new`)).text();
        for (const label of ["Learning rate", "Betas (β1, β2)", "Eps", "Weight decay", "AMSGrad"]) {
          assert.ok(html.includes(`>${label}<`), `missing ${label}`);
        }
        assert.deepEqual(unlabelled(html), []);
        assert.match(html, /<form id="run-form" method="post" action="\/runs\/new"/);
      },
    );

    await t.step("a share link reopens the form with SGD's fields filled in", async () => {
      const sgd = parsed({ optimizer: { type: "sgd", lr: 0.1, momentum: 0.9, nesterov: true } });
      const html = await (await fetch(`${url}${shareUrl(sgd)}`)).text();
      for (const label of ["Learning rate", "Momentum", "Dampening", "Nesterov", "Weight decay"]) {
        assert.ok(html.includes(`>${label}<`), `missing ${label}`);
      }
      assert.match(html, /name="optimizer.momentum"[^>]*value="0.9"/);
      assert.match(html, /name="optimizer.nesterov" type="checkbox" checked/);
      assert.deepEqual(unlabelled(html), []);
    });

    await t.step("a broken share link says so and shows the defaults", async () => {
      const html = await (await fetch(`${url}/runs/new?config=not*base64`)).text();
      assert.match(html, /Shared config must be base64url text/);
      assert.match(html, /name="epochs"[^>]*value="10"/);
    });

    await t.step("an invalid share link names every problem, not just the first", async () => {
      const html = await (await fetch(`${url}${shareUrl({ epochs: 0, seed: -1 })}`)).text();
      assert.match(html, /Epochs: Epochs must be an integer in \[1, 10000\], got 0/);
      assert.match(html, /Seed: Seed must be an integer in \[0, \d+\], got -1/);
      assert.match(html, /name="epochs"[^>]*value="10"/);
    });

    await t.step(
      "an invalid post re-renders with the message under its field, writing nothing",
      async () => {
        const values = { ...configToValues(tiny), "optimizer.lr": "-1", epochs: "many" };
        const response = await postForm(`${url}/runs/new`, values);
        assert.equal(response.status, 422);
        const html = await response.text();
        assert.match(
          html,
          /id="field-optimizer-lr"[^>]*aria-invalid="true"[^>]*>(<small[^>]*>[^<]*<\/small>)?<p class="field-error" id="field-optimizer-lr-error">Learning rate must be greater than 0, got -1<\/p>/,
        );
        assert.match(html, /Epochs must be an integer in \[1, 10000\], got &quot;many&quot;/);
        assert.match(html, /name="epochs"[^>]*value="many"/, "the form keeps what was typed");
        assert.equal(await runCount(), 0);
      },
    );

    await t.step("the dataset's own limits are checked before launching", async () => {
      const values = {
        ...configToValues(tiny),
        "data.split.train": "0.9",
        "data.split.test": "",
      };
      const html = await (await postForm(`${url}/runs/new`, values)).text();
      assert.match(html, /Test fraction is required for &quot;synthetic-binary&quot;/);
      assert.equal(await runCount(), 0);
    });

    await t.step(
      "one post names MNIST's train size limit beside a bad layer, by the form's labels",
      async () => {
        const values = {
          ...configToValues(parsed({ ...tiny, data: { dataset: "mnist" } })),
          "data.trainSize": "70000",
          "model.layers.0.units": "0",
        };
        const response = await postForm(`${url}/runs/new`, values);
        assert.equal(response.status, 422);
        const html = await response.text();
        assert.match(html, /2 problems to fix/);
        assert.match(html, />Layer 1 units<\/a>: Units must be an integer in \[1, 8192\], got 0/);
        assert.match(
          html,
          />Train size<\/a>: Train size must be at most 60000 for &quot;mnist&quot;, got 70000/,
        );
        assert.equal(await runCount(), 0);
      },
    );

    await t.step("layer buttons and the optimizer picker work without JavaScript", async () => {
      const values = configToValues(tiny);
      const added = await postForm(`${url}/runs/new`, { ...values, layerAction: "add" });
      assert.equal(added.status, 200);
      assert.match(await added.text(), /for="field-model-layers-1-units"[^>]*>Layer 2 units</);
      const switched = await postForm(`${url}/runs/new`, {
        ...values,
        "optimizer.type": "rmsprop",
      });
      const html = await switched.text();
      assert.match(html, /Showing RMSprop&#39;s fields with PyTorch&#39;s defaults/);
      assert.match(html, /name="optimizer.alpha"[^>]*value="0.99"/);
      assert.match(html, /name="optimizer.lr"[^>]*value="0.01"/);
      assert.equal(await runCount(), 0);
    });

    await t.step("htmx fragments: layers, optimizer fields and live validation", async () => {
      const values = configToValues(tiny);
      const layers = await (await postForm(`${url}/runs/new/layers`, {
        ...values,
        layerAction: "remove:0",
      })).text();
      assert.match(layers, /^<fieldset id="layers"/);
      assert.match(layers, /No hidden layers/);
      assert.match(layers, /<hx-partial hx-target="#config-preview" hx-swap="outerHTML">/);
      const optimizer = await (await postForm(`${url}/runs/new/optimizer`, {
        ...values,
        "optimizer.type": "sgd",
      })).text();
      assert.match(optimizer, /^<div id="optimizer-fields"/);
      assert.ok(optimizer.includes(">Nesterov<") && optimizer.includes(">Momentum<"));
      const validated = await (await postForm(`${url}/runs/new/validate`, {
        ...values,
        "model.layers.0.dropout": "1",
      })).text();
      assert.match(validated, /Dropout must be in \[0, 1\), got 1/);
      assert.ok(!validated.includes("<html"), "a fragment, not a page");
    });

    let firstId = 0;
    await t.step("a valid post launches the run and redirects to its page", async () => {
      const response = await postForm(`${url}/runs/new`, configToValues(tiny));
      assert.equal(response.status, 303);
      const location = response.headers.get("Location") ?? "";
      assert.match(location, /^\/runs\/\d+$/);
      firstId = Number(location.split("/").at(-1));
      const stored = await (await fetch(`${url}/api/runs/${firstId}`)).json();
      assert.deepEqual(stored.config, tiny);
    });

    await t.step(
      "a completed run's page shows its epochs and confusion matrix, no stream",
      async () => {
        await server.server.service.whenIdle();
        const html = await (await fetch(`${url}/runs/${firstId}`)).text();
        assert.ok(html.includes("Confusion matrix") && html.includes("Most confidently wrong"));
        const rows = html.split('<tbody id="epoch-rows">')[1].split("</tbody>")[0];
        assert.equal(rows.match(/<tr>/g)?.length, 3);
        assert.ok(!html.includes("hx-sse:connect"));
        assert.ok(html.includes(`href="/api/runs/${firstId}/model"`));
        assert.match(html, /href="\/runs\/new\?config=[A-Za-z0-9_-]+"/);
      },
    );

    await t.step("the live stream sends epochs as fragments, then the finished page", async () => {
      // A long run holds the engine, so the second waits queued while the stream connects.
      const long = tinyRun({ name: "long", epochs: 400, batch: { mode: "stochastic" } });
      const { id: longId } = await (await postJson(`${url}/api/runs`, long)).json();
      const { id } = await (await postJson(`${url}/api/runs`, tinyRun({ name: "<b>bold</b>" })))
        .json();
      // The stream has subscribed once its headers arrive, so it cannot miss the first epoch.
      const stream = await fetch(`${url}/runs/${id}/live`);
      const cancel = await postForm(`${url}/runs/${longId}/cancel`, {}, { "HX-Request": "true" });
      assert.match(await cancel.text(), /Cancelling…/);
      const events = await readSse(stream);
      const html = events.map((event) => event.data);
      assert.match(html[0], /<hx-partial hx-target="#run-status" hx-swap="innerHTML">/);
      assert.match(html[0], /queued/);
      const rows = html.filter((data) =>
        data.includes('hx-target="#epoch-rows" hx-swap="beforeend"')
      );
      // Epochs that come within 250 ms of each other share a message (those that come with the
      // end, the finished page); the finished page has every epoch's row.
      assert.ok(rows.length >= 1 && rows.length <= 3);
      const table = html.at(-1)!.match(/<tbody id="epoch-rows">(.*?)<\/tbody>/s)?.[1];
      assert.equal(table?.match(/<tr>/g)?.length, 3);
      // Each message of epochs sends the curves' data for the browser's charts, not the pictures.
      assert.ok(
        rows.every((data) => data.includes('hx-target="#chart-loss-data" hx-swap="outerHTML"')),
        "each epoch message sends the loss curve's data",
      );
      assert.ok(rows.every((data) => !data.includes("<svg")), "the curves are not redrawn");
      assert.match(html.at(-1)!, /<hx-partial hx-target="#run-live" hx-swap="outerHTML">/);
      assert.ok(html.at(-1)!.includes("Confusion matrix"));
      assert.ok(html.at(-1)!.includes("&lt;b&gt;bold&lt;/b&gt;") && !html.join().includes("<b>"));
      const longRun = await waitFor(async () => {
        const run = await (await fetch(`${url}/api/runs/${longId}`)).json();
        return run.status === "cancelled" ? run : undefined;
      }, "the long run to end as cancelled");
      assert.equal(longRun.status, "cancelled");
    });

    await t.step("cancelling without JavaScript redirects back to the run page", async () => {
      const response = await postForm(`${url}/runs/${firstId}/cancel`, {});
      assert.equal(response.status, 303);
      assert.equal(response.headers.get("Location"), `/runs/${firstId}`);
    });

    await t.step(
      "the runs list filters by status and the home page lists recent runs",
      async () => {
        const completed = await (await fetch(`${url}/runs?status=completed`)).text();
        assert.ok(completed.includes(">form tiny<") && !completed.includes(">long<"));
        const cancelled = await (await fetch(`${url}/runs?status=cancelled`)).text();
        assert.ok(cancelled.includes(">long<") && !cancelled.includes(">form tiny<"));
        assert.equal((await fetch(`${url}/runs?status=done`)).status, 400);
        const home = await (await fetch(url)).text();
        assert.ok(home.includes("Recent runs") && home.includes(`href="/runs/${firstId}"`));
      },
    );

    await t.step("compare overlays the runs and shows their settings side by side", async () => {
      const html = await (await fetch(`${url}/runs/compare?ids=${firstId}&ids=3`)).text();
      assert.ok(html.includes("#1 form tiny") && html.includes("#3 &lt;b&gt;bold&lt;/b&gt;"));
      // The two differ only by name, which heads their columns.
      assert.match(html, /Settings · all the same/);
      assert.match(html, /<th scope="row">Loss<\/th>/, "every setting is shown");
      assert.ok(!html.includes('"differs"><th scope="row">Loss'), "equal settings are plain");
      assert.equal((await fetch(`${url}/runs/compare?ids=1,99`)).status, 404);
    });

    await t.step(
      "compare with fewer than two runs ticked shows the list again with the reason, ticks kept",
      async () => {
        for (const query of ["", `?ids=${firstId}`]) {
          const response = await fetch(`${url}/runs/compare${query}`);
          assert.equal(response.status, 422);
          const html = await response.text();
          assert.match(html, /<form id="runs-table"/, "the runs list, not an error page");
          assert.match(html, /id="compare-error"[^>]*>Pick at least two runs to compare/);
          assert.match(html, /aria-describedby="compare-error"/);
          const ticked = [...html.matchAll(/<input type="checkbox"[^>]*>/g)]
            .filter((m) => m[0].includes("checked"))
            .map((m) => /value="(\d+)"/.exec(m[0])![1]);
          assert.deepEqual(ticked, query ? [String(firstId)] : []);
        }
        const list = await (await fetch(`${url}/runs`)).text();
        assert.ok(!list.includes("compare-error") && !/type="checkbox"[^>]*checked/.test(list));
      },
    );
  } finally {
    await server.close();
  }
});
