/**
 * `deno task tune` as users run it: one worker, several workers on one database, and bad input.
 */

import assert from "node:assert/strict";

const root = new URL("..", import.meta.url);

function tune(args: string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/tune.ts", ...args],
    cwd: root,
    env: { NO_COLOR: "1", XDG_RUNTIME_DIR: "/tmp" },
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
    name: "tiny-search",
    direction: "maximize",
    metric: "devAccuracy",
    trials: 4,
    sampler: { type: "tpe", seed: 1 },
    pruner: { type: "none" },
    base: {
      epochs: 2,
      device: "cpu",
      data: { dataset: "synthetic-binary", split: { train: 0.8, dev: 0.1, test: 0.1 } },
      model: { layers: [{ units: 8 }] },
    },
    space: {
      "optimizer.lr": { type: "float", low: 1e-3, high: 1e-1, log: true },
      "model.layers.0.units": { type: "int", low: 4, high: 16, step: 4 },
      "optimizer.type": { type: "categorical", choices: ["sgd", "adam"] },
    },
    ...overrides,
  };
}

async function withFiles(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "ajuste-tune-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("deno task tune --json runs the study and reports every trial with dotted-path params", async () => {
  await withFiles(async (dir) => {
    await Deno.writeTextFile(`${dir}/study.json`, JSON.stringify(studyFile()));
    const { code, stdout, stderr } = await tune([
      `${dir}/study.json`,
      "--db",
      `file:${dir}/t.db`,
      "--json",
    ]);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assert.equal(report.study, "tiny-search");
    assert.deepEqual(report.trials.map((t: { number: number }) => t.number), [0, 1, 2, 3]);
    assert.ok(report.trials.every((t: { state: string }) => t.state === "COMPLETE"));
    assert.deepEqual(Object.keys(report.bestParams).sort(), [
      "model.layers.0.units",
      "optimizer.lr",
      "optimizer.type",
    ]);
    const best = Math.max(...report.trials.map((t: { value: number }) => t.value));
    assert.equal(report.bestValue, best);
    for (const trial of report.trials) {
      assert.ok(trial.params["model.layers.0.units"] % 4 === 0);
      assert.ok(["sgd", "adam"].includes(trial.params["optimizer.type"]));
      assert.equal(trial.intermediateValues.length, 2, "one intermediate value per epoch");
      assert.equal(typeof trial.runId, "number");
    }

    const again = await tune([
      "--study",
      "tiny-search",
      "--db",
      `file:${dir}/t.db`,
      "--trials",
      "0",
      "--json",
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout).trials.length, 4, "--trials 0 runs none and reports");
  });
});

Deno.test("two deno task tune workers on one database share the study and stop at its budget", async () => {
  await withFiles(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/study.json`,
      JSON.stringify(studyFile({ name: "shared", trials: 6 })),
    );
    const db = `file:${dir}/shared.db`;
    const [a, b] = await Promise.all([
      tune([`${dir}/study.json`, "--db", db, "--json"]),
      tune([`${dir}/study.json`, "--db", db, "--json"]),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const report = JSON.parse(b.stdout);
    const finished = report.trials.filter((t: { state: string }) => t.state === "COMPLETE");
    assert.equal(finished.length, 6);
    assert.deepEqual(report.trials.map((t: { number: number }) => t.number), [0, 1, 2, 3, 4, 5]);
  });
});

Deno.test("a seeded study run by deno task tune twice continues its draws instead of repeating them", async () => {
  await withFiles(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/study.json`,
      JSON.stringify(studyFile({ name: "seeded", sampler: { type: "random", seed: 0 } })),
    );
    const args = [`${dir}/study.json`, "--db", `file:${dir}/seeded.db`, "--trials", "2", "--json"];
    const first = await tune(args);
    assert.equal(first.code, 0, first.stderr);
    const second = await tune(args);
    assert.equal(second.code, 0, second.stderr);
    const trials = JSON.parse(second.stdout).trials;
    assert.deepEqual(trials.map((t: { number: number }) => t.number), [0, 1, 2, 3]);
    const lrs = trials.map((t: { params: Record<string, number> }) => t.params["optimizer.lr"]);
    assert.equal(new Set(lrs).size, 4, `learning rates ${lrs}`);
  });
});

Deno.test("deno task tune --train-best trains the best trial as the final model and prints its test metrics", async () => {
  await withFiles(async (dir) => {
    await Deno.writeTextFile(`${dir}/study.json`, JSON.stringify(studyFile({ trials: 2 })));
    const db = `file:${dir}/final.db`;
    const searched = await tune([
      `${dir}/study.json`,
      "--db",
      db,
      "--train-best",
      "--epochs",
      "3",
      "--json",
    ]);
    assert.equal(searched.code, 0, searched.stderr);
    const report = JSON.parse(searched.stdout);
    assert.equal(report.trials.length, 2);
    assert.equal(report.finalRun.trial, report.bestTrial);
    assert.equal(report.finalRun.status, "completed");
    assert.equal(report.finalRun.epochs, 3);
    assert.equal(typeof report.finalRun.test.accuracy, "number");

    const existing = await tune([
      "--study",
      "tiny-search",
      "--db",
      db,
      "--trials",
      "0",
      "--train-best",
    ]);
    assert.equal(existing.code, 0, existing.stderr);
    assert.match(
      existing.stdout,
      new RegExp(
        `Final model: run #\\d+ \\(trial #${report.bestTrial}'s params\\), completed\\nTest accuracy \\d+\\.\\d\\d%`,
      ),
    );
    assert.match(existing.stdout, /^2 trials \(2 complete\)$/m, "no trial run with --trials 0");
    // One number format, the dashboard's: the accuracy metric as a percentage in the trials
    // table and the best line, the loss to four significant places.
    const rate = String.raw`\d{1,3}\.\d{2}%`;
    assert.match(existing.stdout, new RegExp(`^ *\\d+ +${rate} `, "m"));
    assert.match(existing.stdout, new RegExp(`^Best devAccuracy: ${rate} with$`, "m"));
    assert.match(
      existing.stdout,
      new RegExp(`^Test accuracy ${rate}, test loss \\d\\.\\d{3,4}$`, "m"),
    );

    const alone = await tune(["--study", "tiny-search", "--db", db, "--epochs", "3"]);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--epochs sets the final model's epochs: give --train-best too/);
  });
});

Deno.test("deno task tune rejects a bad study file naming the field, and exits 2", async () => {
  await withFiles(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/study.json`,
      JSON.stringify(
        studyFile({ space: { "optimizer.lr": { type: "float", low: 0, high: 1, log: true } } }),
      ),
    );
    const { code, stderr } = await tune([`${dir}/study.json`, "--db", `file:${dir}/t.db`]);
    assert.equal(code, 2);
    assert.match(stderr, /space\.optimizer\.lr/);
    await assert.rejects(Deno.stat(`${dir}/t.db`), Deno.errors.NotFound, "no database created");
  });
});

Deno.test("deno task tune refuses to join a study that does not exist", async () => {
  await withFiles(async (dir) => {
    const { code, stderr } = await tune(["--study", "nope", "--db", `file:${dir}/t.db`]);
    assert.equal(code, 2);
    assert.match(stderr, /No study "nope"/);
  });
});

Deno.test("deno task tune joins a study given the same file again and refuses a changed one", async () => {
  await withFiles(async (dir) => {
    const db = `file:${dir}/t.db`;
    await Deno.writeTextFile(`${dir}/study.json`, JSON.stringify(studyFile({ name: "kept" })));
    const created = await tune([`${dir}/study.json`, "--db", db, "--trials", "0"]);
    assert.equal(created.code, 0, created.stderr);
    assert.doesNotMatch(created.stderr, /Joining/);
    const joined = await tune([`${dir}/study.json`, "--db", db, "--trials", "0"]);
    assert.equal(joined.code, 0, joined.stderr);
    assert.match(joined.stderr, /Joining study "kept" \(#1\)/);

    const changed = studyFile({ name: "kept", direction: "minimize", trials: 9 });
    await Deno.writeTextFile(`${dir}/changed.json`, JSON.stringify(changed));
    const refused = await tune([`${dir}/changed.json`, "--db", db, "--trials", "0", "--json"]);
    assert.equal(refused.code, 2);
    assert.equal(refused.stdout, "");
    assert.match(
      refused.stderr,
      /^Study "kept" already exists with a different direction, trials; choose another name or send the same file\n/,
    );
  });
});

Deno.test("deno task tune refuses a __proto__ field in the study file before creating the database", async () => {
  await withFiles(async (dir) => {
    const file = JSON.stringify(studyFile()).replace(
      '"space":{',
      '"space":{"__proto__":{"type":"int","low":1,"high":2},',
    );
    await Deno.writeTextFile(`${dir}/study.json`, file);
    const { code, stderr } = await tune([`${dir}/study.json`, "--db", `file:${dir}/t.db`]);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /"__proto__" is not allowed, found at "space\.__proto__"/);
    await assert.rejects(Deno.stat(`${dir}/t.db`), Deno.errors.NotFound);
  });
});

Deno.test("deno task tune refuses a study whose every trial the dataset would refuse, before the database", async () => {
  await withFiles(async (dir) => {
    const base = { epochs: 1, device: "cpu", data: { dataset: "synthetic-binary" } };
    await Deno.writeTextFile(`${dir}/study.json`, JSON.stringify(studyFile({ base })));
    const { code, stderr } = await tune([`${dir}/study.json`, "--db", `file:${dir}/t.db`]);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /base\.data\.split\.test: Test fraction is required/);
    await assert.rejects(Deno.stat(`${dir}/t.db`), Deno.errors.NotFound);
  });
});

Deno.test("deno task tune --csv writes a row per trial with trials_dataframe()'s columns, pruned ones too", async () => {
  await withFiles(async (dir) => {
    const db = `file:${dir}/t.db`;
    // Accuracy is never below 2: the threshold pruner stops every trial after its first epoch.
    const file = studyFile({ name: "csv", trials: 3, pruner: { type: "threshold", lower: 2 } });
    await Deno.writeTextFile(`${dir}/study.json`, JSON.stringify(file));
    const ran = await tune([`${dir}/study.json`, "--db", db, "--csv", `${dir}/trials.csv`]);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stderr, /Wrote 3 trials to .*trials\.csv/);
    const [header, ...rows] = (await Deno.readTextFile(`${dir}/trials.csv`)).trimEnd().split("\n");
    assert.equal(
      header,
      "number,value,datetime_start,datetime_complete,duration,params_model.layers.0.units," +
        "params_optimizer.lr,params_optimizer.type,user_attrs_runId,state",
    );
    assert.deepEqual(rows.map((row) => row.split(",")[0]), ["0", "1", "2"]);
    const report = JSON.parse(
      (await tune(["--study", "csv", "--db", db, "--trials", "0", "--json"]))
        .stdout,
    );
    for (const [i, row] of rows.entries()) {
      const cells = row.split(",");
      const trial = report.trials[i];
      assert.equal(cells.at(-1), "PRUNED");
      assert.equal(Number(cells[1]), trial.value, "the value of its only epoch");
      assert.equal(trial.intermediateValues.length, 1);
      assert.ok(Number(cells[4]) > 0 && Date.parse(cells[3]) > Date.parse(cells[2]));
      assert.equal(Number(cells[5]), trial.params["model.layers.0.units"]);
      assert.equal(Number(cells[6]), trial.params["optimizer.lr"]);
      assert.equal(cells[7], trial.params["optimizer.type"]);
      assert.equal(Number(cells[8]), trial.runId);
    }
    // Joining with --trials 0 exports the study as it stands.
    const again = await tune([
      "--study",
      "csv",
      "--db",
      db,
      "--trials",
      "0",
      "--csv",
      `${dir}/b.csv`,
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(
      await Deno.readTextFile(`${dir}/b.csv`),
      await Deno.readTextFile(`${dir}/trials.csv`),
    );
  });
});

Deno.test("deno task tune --csv into a missing folder is refused before any trial runs", async () => {
  await withFiles(async (dir) => {
    await Deno.writeTextFile(`${dir}/study.json`, JSON.stringify(studyFile()));
    const { code, stderr } = await tune([
      `${dir}/study.json`,
      "--db",
      `file:${dir}/t.db`,
      "--csv",
      `${dir}/nope/trials.csv`,
    ]);
    assert.equal(code, 2);
    assert.match(stderr, /Cannot write the trials to ".*nope\/trials\.csv": no folder ".*nope"/);
    await assert.rejects(Deno.stat(`${dir}/t.db`), Deno.errors.NotFound);
  });
});
