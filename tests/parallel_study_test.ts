/**
 * A study's trials several at once on one machine (`parallel`, `deno task tune --parallel N`):
 * trials really overlap (read from their start and end times), each on a lane of its own, and
 * the study still ends with exactly its trials, numbered once each; a stop re-queues every trial
 * in flight; bad values are refused naming the field.
 */

import assert from "node:assert/strict";
import { parseStudySpec } from "../config/study_schema.ts";
import { openDb } from "../db/client.ts";
import { getStudyByName } from "../db/studies.ts";
import { LibsqlStorage } from "../db/tuner_storage.ts";
import type { FrozenTrial } from "../tuner/frozen_trial.ts";
import { specToValues, valuesToStudyInput } from "../views/studies/study_form_state.ts";
import { postJson, startTestServer, waitFor } from "./service_helpers.ts";

const root = new URL("..", import.meta.url);

function tune(args: string[], env: Record<string, string> = {}) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/tune.ts", ...args],
    cwd: root,
    env: { NO_COLOR: "1", XDG_RUNTIME_DIR: "/tmp", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output().then((o) => ({
    code: o.code,
    stdout: new TextDecoder().decode(o.stdout),
    stderr: new TextDecoder().decode(o.stderr),
  }));
}

function studyFile(overrides: Record<string, unknown> = {}) {
  return {
    name: "par",
    trials: 6,
    sampler: { type: "tpe", seed: 4, nStartupTrials: 2 },
    pruner: { type: "median", nStartupTrials: 1 },
    base: {
      epochs: 3,
      device: "cpu",
      data: { dataset: "synthetic-binary", split: { train: 0.8, dev: 0.1, test: 0.1 } },
      model: { layers: [{ units: 8 }] },
    },
    space: { "optimizer.lr": { type: "float", low: 1e-4, high: 1e-1, log: true } },
    ...overrides,
  };
}

/** The study's trials as stored, by number. */
async function storedTrials(dbUrl: string, name: string): Promise<FrozenTrial[]> {
  const { db, close } = await openDb({ url: dbUrl });
  try {
    const study = (await getStudyByName(db, name))!;
    return await new LibsqlStorage(db).getAllTrials(study.id);
  } finally {
    close();
  }
}

/** Pairs of trials that ran at the same time: each started before the other ended. */
function overlapping(trials: FrozenTrial[]): [number, number][] {
  const pairs: [number, number][] = [];
  for (const a of trials) {
    for (const b of trials) {
      if (a.number >= b.number) continue;
      const [aStart, aEnd] = [a.datetimeStart!.getTime(), a.datetimeComplete!.getTime()];
      const [bStart, bEnd] = [b.datetimeStart!.getTime(), b.datetimeComplete!.getTime()];
      if (aStart < bEnd && bStart < aEnd) pairs.push([a.number, b.number]);
    }
  }
  return pairs;
}

/** Who ran each trial (`LibsqlStorage`'s worker system attribute). */
function workers(trials: FrozenTrial[]): Set<unknown> {
  return new Set(trials.map((trial) => trial.systemAttrs.worker));
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "ajuste-parallel-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("deno task tune --parallel 2 overlaps trials and ends with exactly the study's trials, each number once", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/study.json`, JSON.stringify(studyFile()));
    const db = `file:${dir}/t.db`;
    const run = await tune([`${dir}/study.json`, "--db", db, "--parallel", "2"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /6 trials, 2 at once \(--parallel\)/);
    const trials = await storedTrials(db, "par");
    assert.deepEqual(trials.map((t) => t.number).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5]);
    assert.ok(
      trials.every((t) => t.state === "COMPLETE" || t.state === "PRUNED"),
      JSON.stringify(trials.map((t) => t.state)),
    );
    assert.ok(overlapping(trials).length > 0, "some trials ran at the same time");
    assert.equal(workers(trials).size, 2, "two lanes of one process");
  });
});

Deno.test("deno task tune refuses --parallel out of range, and more trials at once than the memory budget holds", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/study.json`, JSON.stringify(studyFile()));
    const db = `file:${dir}/t.db`;
    const high = await tune([`${dir}/study.json`, "--db", db, "--parallel", "65"]);
    assert.equal(high.code, 2);
    assert.match(high.stderr, /--parallel must be a whole number from 1 to 64, got 65/);
    const zero = await tune([`${dir}/study.json`, "--db", db, "--parallel", "0"]);
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /--parallel.*expected a whole number ≥ 1, got "0"/);
    await Deno.writeTextFile(`${dir}/bad.json`, JSON.stringify(studyFile({ parallel: "all" })));
    const bad = await tune([`${dir}/bad.json`, "--db", db]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /parallel: Parallel must be "auto" or a whole number of trials/);
    // One synthetic trial takes well under 1 MiB: 1 MiB holds one, not 64.
    const tight = await tune([`${dir}/study.json`, "--db", db, "--parallel", "64"], {
      AJUSTE_MEMORY_BUDGET: "1MiB",
    });
    assert.equal(tight.code, 2, tight.stderr);
    assert.match(tight.stderr, /--parallel: Parallel 64 would train 64 trials at once/);
    assert.match(tight.stderr, /use parallel \d+ or less, or "auto"/);
  });
});

Deno.test("a study started from the API with parallel 2 trains two trials at once, says so, and a stop re-queues both", async () => {
  const t = await startTestServer();
  try {
    const refused = await postJson(`${t.url}/api/studies`, studyFile({ parallel: 0 }));
    assert.equal(refused.status, 400);
    const { issues } = await refused.json();
    assert.deepEqual(issues.map((issue: { path: string }) => issue.path), ["parallel"]);
    assert.match(issues[0].message, /from 1 to 64, got 0/);

    const quick = await postJson(`${t.url}/api/studies`, studyFile({ name: "quick", parallel: 2 }));
    assert.equal(quick.status, 201);
    const { id } = await quick.json();
    await waitFor(
      async () => {
        const report = await (await fetch(`${t.url}/api/studies/${id}`)).json();
        return report.trials.length === 6 &&
            report.trials.every((trial: { state: string }) =>
              ["COMPLETE", "PRUNED"].includes(trial.state)
            )
          ? true
          : undefined;
      },
      "the study's 6 trials",
      120_000,
    );
    const trials = await storedTrials(t.dbUrl, "quick");
    assert.deepEqual(trials.map((trial) => trial.number).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5]);
    assert.ok(overlapping(trials).length > 0, "some trials ran at the same time");
    assert.equal(workers(trials).size, 2);

    const long = studyFile({
      name: "long",
      parallel: 2,
      trials: 4,
      pruner: { type: "none" },
      base: { ...studyFile().base, epochs: 400, batch: { mode: "stochastic" } },
    });
    const { id: longId } = await (await postJson(`${t.url}/api/studies`, long)).json();
    await waitFor(async () => {
      const report = await (await fetch(`${t.url}/api/studies/${longId}`)).json();
      const running = report.trials.filter((trial: { state: string }) => trial.state === "RUNNING");
      return running.length === 2 ? true : undefined;
    }, "two trials running");
    const page = await (await fetch(`${t.url}/studies/${longId}`)).text();
    assert.match(page, /2 trials at once on this server \(the study&#39;s parallel\)/);
    const stopped = await (await fetch(`${t.url}/api/studies/${longId}/stop`, { method: "POST" }))
      .json();
    const states = stopped.trials.map((trial: { state: string }) => trial.state);
    assert.deepEqual(states, ["FAIL", "FAIL", "WAITING", "WAITING"], "both in flight re-queued");
  } finally {
    await t.close();
  }
});

Deno.test("the New study form's Trials at once: empty is auto (left out of the file), a number is kept, and back", () => {
  const spec = parseStudySpec({ ...studyFile(), parallel: 3 });
  assert.ok(spec.ok);
  const values = specToValues(spec.spec);
  assert.equal(values["study.parallel"], "3");
  assert.equal(valuesToStudyInput(values).parallel, 3);
  const auto = { ...values, "study.parallel": "" };
  assert.ok(!("parallel" in JSON.parse(JSON.stringify(valuesToStudyInput(auto)))));
  const parsed = parseStudySpec(valuesToStudyInput({ ...values, "study.parallel": "many" }));
  assert.ok(!parsed.ok && parsed.issues.some((issue) => issue.path === "parallel"));
});
