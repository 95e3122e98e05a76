import assert from "node:assert/strict";
import { createStudy } from "./create_study.ts";
import { RandomSampler } from "./samplers/random.ts";
import { trialsTable } from "./trials_table.ts";

Deno.test("trialsTable() orders columns as trials_dataframe(): fixed ones, sorted params and attrs, state", async () => {
  const study = await createStudy({ sampler: new RandomSampler({ seed: 1 }) });
  await study.optimize((trial) => {
    trial.suggestInt("b", 1, 3);
    if (trial.number === 1) trial.suggestCategorical("a", [true, false]);
    trial.setUserAttr("zeta", { nested: [trial.number] });
    trial.setUserAttr("Alpha", trial.number);
    return trial.number;
  }, { nTrials: 2 });
  const { columns, rows } = trialsTable(study.trials);
  assert.deepEqual(columns, [
    "number",
    "value",
    "datetime_start",
    "datetime_complete",
    "duration",
    "params_a",
    "params_b",
    "user_attrs_Alpha",
    "user_attrs_zeta",
    "state",
  ]);
  assert.deepEqual(Object.keys(rows[0]), columns, "every row has every column, in order");
  assert.equal(rows[0].params_a, null, "a parameter the trial did not suggest");
  assert.equal(typeof rows[1].params_a, "boolean");
  assert.deepEqual(rows[1].user_attrs_zeta, { nested: [1] });
  assert.equal(
    rows[1].duration,
    (Date.parse(rows[1].datetime_complete as string) -
      Date.parse(rows[1].datetime_start as string)) / 1000,
  );
});

Deno.test("trialsTable() of a study without trials has the fixed columns and no rows", () => {
  assert.deepEqual(trialsTable([]), {
    columns: ["number", "value", "datetime_start", "datetime_complete", "duration", "state"],
    rows: [],
  });
});
