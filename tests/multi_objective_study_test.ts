/**
 * A study with two objectives and a constraint, end to end through the JSON API: the trials'
 * measured values and constraint values, the Pareto front, and the 400s a malformed one gets.
 */

import assert from "node:assert/strict";
import { postJson, readSse, startTestServer } from "./service_helpers.ts";

export const twoObjectiveStudy = {
  name: "accuracy-vs-size",
  trials: 4,
  metrics: ["devAccuracy", "parameterCount"],
  constraints: [{ metric: "parameterCount", max: 200 }],
  sampler: { type: "nsga2", seed: 3, populationSize: 2 },
  base: {
    epochs: 1,
    device: "cpu",
    data: { dataset: "synthetic-binary", split: { train: 0.8, dev: 0.1, test: 0.1 } },
    model: { layers: [{ units: 8 }] },
  },
  space: {
    "optimizer.lr": { type: "float", low: 1e-3, high: 1e-1, log: true },
    "model.layers.0.units": { type: "int", low: 2, high: 40 },
  },
};

interface Trial {
  number: number;
  state: string;
  params: Record<string, number>;
  values: number[];
  constraints: number[];
  feasible: boolean;
}

Deno.test("A two-objective study with a constraint: measured values, constraints and its Pareto front", async () => {
  const t = await startTestServer();
  try {
    const created = await postJson(`${t.url}/api/studies`, twoObjectiveStudy);
    assert.equal(created.status, 201, await created.clone().text());
    const { id } = await created.json();
    const events = await readSse(await fetch(`${t.url}/api/studies/${id}/events`));
    assert.equal(events.at(-1)?.event, "done");
    const report = await (await fetch(`${t.url}/api/studies/${id}`)).json();
    assert.deepEqual(report.metrics, ["devAccuracy", "parameterCount"]);
    assert.deepEqual(report.directions, ["maximize", "minimize"]);
    assert.equal(report.bestValue, null);
    const trials = report.trials as Trial[];
    assert.equal(trials.length, 4);
    for (const trial of trials) {
      assert.equal(trial.state, "COMPLETE");
      const [accuracy, count] = trial.values;
      assert.ok(accuracy >= 0 && accuracy <= 1);
      assert.deepEqual(trial.constraints, [count - 200]);
      assert.equal(trial.feasible, count <= 200);
    }
    // More hidden units, more parameters: the count follows the searched width.
    const byUnits = [...trials].sort((a, b) =>
      a.params["model.layers.0.units"] - b.params["model.layers.0.units"]
    );
    for (let i = 1; i < byUnits.length; i++) {
      const [a, b] = [byUnits[i - 1], byUnits[i]];
      if (a.params["model.layers.0.units"] < b.params["model.layers.0.units"]) {
        assert.ok(a.values[1] < b.values[1]);
      }
    }
    // The front: feasible trials that no other feasible trial beats on both objectives.
    const feasible = trials.filter((trial) => trial.feasible);
    const beaten = (x: Trial) =>
      feasible.some((y) =>
        y.values[0] >= x.values[0] && y.values[1] <= x.values[1] &&
        (y.values[0] > x.values[0] || y.values[1] < x.values[1])
      );
    assert.deepEqual(
      report.bestTrials,
      feasible.filter((x) => !beaten(x)).map((x) => x.number),
    );
    // The study page says what it optimises and lists exactly the front's trials.
    const page = await (await fetch(`${t.url}/studies/${id}`)).text();
    assert.match(
      page,
      /maximize devAccuracy, minimize parameterCount subject to parameterCount ≤ 200/,
    );
    assert.match(page, /id="chart-pareto"/);
    // The summary counts the front instead of naming one best trial.
    assert.match(
      page,
      new RegExp(`<dt>Pareto front</dt><dd>${report.bestTrials.length} trials?</dd>`),
    );
    assert.match(page, /class="best-params" hidden/);
    assert.match(page, /id="chart-hypervolume"/);
    const table = page.slice(page.indexOf('id="study-best-trials"'));
    const listed = [...table.slice(0, table.indexOf("</table>")).matchAll(/>#(\d+)</g)]
      .map((m) => Number(m[1]));
    assert.deepEqual(listed, report.bestTrials);
    assert.doesNotMatch(page, /id="study-final-runs"/, "no single best trial to retrain");
    const list = await (await fetch(`${t.url}/api/studies`)).json();
    assert.equal(list.studies[0].bestValue, null, "no single best value");
    const listPage = await (await fetch(`${t.url}/studies`)).text();
    const listText = listPage.replace(/<[^>]+>/g, "");
    assert.match(listText, /maximize devAccuracy, minimize parameterCount/);
    const best = await postJson(`${t.url}/api/studies/${id}/train-best`, {});
    assert.equal(best.status, 409);
    assert.match(await best.text(), /2 objectives .*Pareto front/);
  } finally {
    await t.close();
  }
});

Deno.test("POST /api/studies names the field of a malformed multi-objective study", async () => {
  const t = await startTestServer();
  try {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ pruner: { type: "median" } }, "pruner.type", /cannot prune/],
      [{ directions: ["maximize"] }, "directions", /one entry per metric \(2\)/],
      [{ metrics: ["devAccuracy", "flops"] }, "metrics.1", /"parameterCount"/],
      [{ constraints: [{ metric: "epochSeconds" }] }, "constraints.0.max", /needs a max, a min/],
      [{ sampler: { type: "nsga2", populationSize: 1 } }, "sampler.populationSize", /at least 2/],
    ];
    for (const [change, path, message] of cases) {
      const response = await postJson(`${t.url}/api/studies`, { ...twoObjectiveStudy, ...change });
      assert.equal(response.status, 400, path);
      const body = await response.json();
      const issue = body.issues.find((i: { path: string }) => i.path === path);
      assert.ok(issue, `${path}: ${JSON.stringify(body.issues)}`);
      assert.match(issue.message, message);
    }
    const studies = await (await fetch(`${t.url}/api/studies`)).json();
    assert.equal(studies.studies.length, 0, "nothing written");
  } finally {
    await t.close();
  }
});
