import assert from "node:assert/strict";
import { createStudy } from "../../create_study.ts";
import type { Trial } from "../../trial.ts";
import { RandomSampler } from "../random.ts";
import { GpSampler, standardize } from "./sampler.ts";

/** A smooth bowl, slightly skewed: minimum ≈ 0.476 near (1.0, −0.7). */
function bowl(trial: Trial): number {
  const x = trial.suggestFloat("x", -5, 5), y = trial.suggestFloat("y", -5, 5);
  return (x - 1.3) ** 2 + 2 * (y + 0.7) ** 2 + 0.5 * Math.sin(x);
}

async function best(sampler: GpSampler | RandomSampler, objective = bowl, nTrials = 30) {
  const study = await createStudy({ sampler });
  await study.optimize(objective, { nTrials });
  return study;
}

Deno.test("GpSampler beats random search on a smooth 2-D function in 30 trials", async () => {
  // The true minimum, by a fine grid over x (y = −0.7 is optimal whatever x is).
  let minimum = Infinity;
  for (let x = -5; x <= 5; x += 1e-4) {
    minimum = Math.min(minimum, (x - 1.3) ** 2 + 0.5 * Math.sin(x));
  }
  for (const seed of [0, 1, 2]) {
    const [gp, random] = [
      await best(new GpSampler({ seed })),
      await best(new RandomSampler({ seed })),
    ];
    assert.ok(
      gp.bestValue < random.bestValue,
      `seed ${seed}: ${gp.bestValue} vs ${random.bestValue}`,
    );
    assert.ok(gp.bestValue - minimum < 0.01, `seed ${seed}: ${gp.bestValue}, minimum ${minimum}`);
  }
});

function mixed(trial: Trial): number {
  const optimizer = trial.suggestCategorical("optimizer", ["sgd", "rmsprop", "adam"]);
  const x = trial.suggestFloat("x", -3, 3);
  const units = trial.suggestInt("units", 16, 256, { step: 16 });
  const offset = { sgd: 1, rmsprop: 0.5, adam: 0 }[optimizer as string]!;
  return (x - 1) ** 2 + offset + ((units - 128) / 128) ** 2;
}

Deno.test("GpSampler learns which categorical choice is best and keeps stepped integers on the grid", async () => {
  for (const seed of [0, 1]) {
    const study = await best(new GpSampler({ seed }), mixed);
    const modelled = study.trials.slice(10);
    const adam = modelled.filter((trial) => trial.params.optimizer === "adam").length;
    assert.ok(adam >= 14, `seed ${seed}: ${adam} of 20 modelled trials chose the best optimizer`);
    assert.ok(study.bestValue < 0.01, `seed ${seed}: best ${study.bestValue}`);
    for (const trial of study.trials) {
      const units = trial.params.units as number;
      assert.ok(units % 16 === 0 && units >= 16 && units <= 256, `units ${units}`);
    }
  }
});

Deno.test("GpSampler repeats its search for the same seed, and only then", async () => {
  const params = async (seed: number) =>
    (await best(new GpSampler({ seed, nStartupTrials: 4 }), mixed, 8)).trials.map((t) => t.params);
  const first = await params(3);
  assert.deepEqual(first, await params(3));
  assert.notDeepEqual(first.slice(4), (await params(4)).slice(4));
});

Deno.test("GpSampler samples at random until nStartupTrials trials are complete", async () => {
  const [gp, random] = [
    await best(new GpSampler({ seed: 9, nStartupTrials: 5 }), bowl, 6),
    await best(new RandomSampler({ seed: 9 }), bowl, 6),
  ];
  const paramsOf = (study: typeof gp) => study.trials.map((trial) => trial.params);
  assert.deepEqual(paramsOf(gp).slice(0, 5), paramsOf(random).slice(0, 5));
  assert.notDeepEqual(paramsOf(gp)[5], paramsOf(random)[5]);
});

Deno.test("GpSampler refuses a multi-objective study with a clear error", async () => {
  const study = await createStudy({
    directions: ["minimize", "maximize"],
    sampler: new GpSampler({ seed: 0 }),
  });
  await assert.rejects(
    () => study.optimize((trial) => [trial.suggestFloat("x", 0, 1), 1], { nTrials: 1 }),
    /GP sampler handles single-objective studies only; .* 2 objectives/,
  );
});

Deno.test("GpSampler refuses bad counts at construction, naming them", () => {
  assert.throws(
    () => new GpSampler({ nStartupTrials: -1 }),
    /nStartupTrials must be an integer ≥ 0, got -1/,
  );
  assert.throws(
    () => new GpSampler({ nLocalSearch: 1 }),
    /nLocalSearch must be an integer ≥ 2, got 1/,
  );
});

Deno.test("standardize() centres and scales, clipping infinities to the finite extremes", () => {
  assert.deepEqual(Array.from(standardize([1, 3])), [-1, 1]);
  assert.deepEqual(Array.from(standardize([1, 3, Infinity, -Infinity])), [-1, 1, 1, -1]);
  assert.deepEqual(Array.from(standardize([2, 2])), [0, 0]);
});

Deno.test("GpSampler steers away from a trial still running elsewhere, not from a failed one", async () => {
  for (const seed of [0, 1]) {
    const distances: Record<string, number> = {};
    for (const ending of ["running", "failed"]) {
      const study = await best(new GpSampler({ seed, nStartupTrials: 8 }), bowl, 10);
      const first = await study.ask();
      const [x1, y1] = [first.suggestFloat("x", -5, 5), first.suggestFloat("y", -5, 5)];
      await first.flush();
      if (ending === "failed") await study.tell(first, "FAIL");
      const second = await study.ask();
      const [x2, y2] = [second.suggestFloat("x", -5, 5), second.suggestFloat("y", -5, 5)];
      distances[ending] = Math.hypot(x1 - x2, y1 - y2);
    }
    // A failed trial tells the GP nothing: the next one lands on the same EI maximum.
    assert.ok(distances.failed < 1e-3, `seed ${seed}: ${JSON.stringify(distances)}`);
    assert.ok(distances.running > 0.1, `seed ${seed}: ${JSON.stringify(distances)}`);
  }
});
