import assert from "node:assert/strict";
import { parseRunConfig } from "../../config/schema.ts";
import { EARLY_STOPPING_FIELD } from "./early_stopping_form.ts";
import { configToValues, valuesToInput } from "./run_form_state.ts";

function roundTrip(input: unknown) {
  const parsed = parseRunConfig(input);
  assert.ok(parsed.ok);
  const again = parseRunConfig(valuesToInput(configToValues(parsed.config)));
  assert.ok(again.ok);
  return again.config.earlyStopping;
}

Deno.test("the New run form carries early stopping both ways, off as an absent field", () => {
  assert.equal(roundTrip({}), undefined);
  const spec = {
    metric: "devAccuracy",
    mode: "min",
    patience: 0,
    minDelta: 0.25,
    restoreBest: false,
  };
  assert.deepEqual(roundTrip({ earlyStopping: spec }), spec);
});

Deno.test("turning early stopping on in the form starts from Lightning's defaults", () => {
  const parsed = parseRunConfig({});
  assert.ok(parsed.ok);
  const values = { ...configToValues(parsed.config), [EARLY_STOPPING_FIELD]: "on" };
  const config = parseRunConfig(valuesToInput(values));
  assert.ok(config.ok);
  assert.deepEqual(config.config.earlyStopping, {
    metric: "devLoss",
    mode: "min",
    patience: 3,
    minDelta: 0,
    restoreBest: true,
  });
});
