import assert from "node:assert/strict";
import {
  CategoricalDistribution,
  distributionFromJson,
  FloatDistribution,
  IntDistribution,
  singleValue,
} from "./distributions.ts";

Deno.test("FloatDistribution rejects low > high, log with low ≤ 0, and log with step", () => {
  assert.throws(() => new FloatDistribution(2, 1), /low 2 above high 1/);
  assert.throws(() => new FloatDistribution(0, 1, { log: true }), /log range needs low > 0/);
  assert.throws(
    () => new FloatDistribution(0.1, 1, { log: true, step: 0.1 }),
    /both log and step/,
  );
  assert.throws(() => new FloatDistribution(0, 1, { step: 0 }), /step must be a positive/);
  assert.throws(() => new FloatDistribution(0, Infinity), /finite low and high/);
  assert.throws(() => new FloatDistribution(2, 1, { name: "lr" }), /^RangeError: Parameter "lr"/);
});

Deno.test("FloatDistribution with step keeps to its grid and lowers high onto it", () => {
  const d = new FloatDistribution(0, 1, { step: 0.3 });
  assert.equal(d.high, 0.9);
  assert.ok(d.contains(0.6));
  assert.ok(!d.contains(0.5));
  assert.ok(!d.contains(1));
  assert.equal(new FloatDistribution(0, 1, { step: 0.1 }).high, 1);
  assert.ok(new FloatDistribution(0, 0.05, { step: 0.1 }).single());
});

Deno.test("FloatDistribution keeps values exact in the internal form, even log-scaled", () => {
  const d = new FloatDistribution(1e-5, 1, { log: true });
  assert.equal(d.toExternal(d.toInternal(0.001)), 0.001);
  assert.throws(() => d.toInternal("0.1"), /expects a number/);
});

Deno.test("IntDistribution checks integers and log low ≥ 1, and lowers high onto the step", () => {
  assert.throws(() => new IntDistribution(0.5, 3), /integer low, high and step/);
  assert.throws(() => new IntDistribution(0, 8, { log: true }), /log range needs low ≥ 1/);
  const d = new IntDistribution(32, 500, { step: 64 });
  assert.equal(d.high, 480);
  assert.ok(d.contains(96) && !d.contains(100) && !d.contains(544));
  assert.ok(new IntDistribution(3, 3).single());
  assert.throws(() => d.toInternal(1.5), /expects an integer/);
});

Deno.test("CategoricalDistribution maps choices to indices and back", () => {
  const d = new CategoricalDistribution(["sgd", "adam", null, 3]);
  assert.equal(d.toInternal("adam"), 1);
  assert.equal(d.toInternal(null), 2);
  assert.equal(d.toExternal(3), 3);
  assert.ok(d.contains(0) && !d.contains(4) && !d.contains(1.5));
  assert.throws(() => d.toInternal("rmsprop"), /"rmsprop" is not one of the choices/);
  assert.throws(() => new CategoricalDistribution([]), /at least one choice/);
  assert.throws(
    () => new CategoricalDistribution([{}] as unknown as string[]),
    /must be strings, numbers, booleans or null/,
  );
  assert.equal(singleValue(new CategoricalDistribution(["only"])), "only");
});

Deno.test("distributions compare by value and round-trip through JSON", () => {
  const all = [
    new FloatDistribution(1e-4, 0.1, { log: true }),
    new FloatDistribution(0, 1, { step: 0.25 }),
    new IntDistribution(1, 9, { step: 2 }),
    new CategoricalDistribution(["a", "b"]),
  ];
  for (const d of all) {
    const copy = distributionFromJson(JSON.parse(JSON.stringify(d)));
    assert.ok(copy.equals(d), JSON.stringify(d));
  }
  assert.ok(!all[0].equals(new FloatDistribution(1e-4, 0.1)));
  assert.ok(!all[2].equals(new IntDistribution(1, 9)));
  assert.throws(
    () => distributionFromJson({ type: "uniform" } as never, "x"),
    /Parameter "x" has type "uniform"; use "float", "int" or "categorical"/,
  );
});

Deno.test("distributionFromJson() rebuilds what toJSON() wrote, for every kind", () => {
  const distributions = [
    new FloatDistribution(1e-5, 1, { log: true }),
    new FloatDistribution(0, 1, { step: 0.25 }),
    new IntDistribution(16, 512, { log: true }),
    new IntDistribution(64, 1024, { step: 64 }),
    new CategoricalDistribution(["sgd", "adam", null, true, 3]),
  ];
  for (const distribution of distributions) {
    const copy = distributionFromJson(JSON.parse(JSON.stringify(distribution.toJSON())));
    assert.ok(copy.equals(distribution), JSON.stringify(distribution.toJSON()));
  }
  assert.ok(new IntDistribution(1, 8, { log: true, step: 1 }).log);
});
