import assert from "node:assert/strict";
import { findPython, runPython } from "../../../tests/python_helpers.ts";
import { createStudy } from "../../create_study.ts";
import type { FrozenTrial } from "../../frozen_trial.ts";
import { InMemoryStorage } from "../../in_memory_storage.ts";
import { constrainedDominates, dominates } from "../../multi_objective/dominance.ts";
import { done } from "../../multi_objective/test_trials.ts";
import { trialRng } from "../trial_rng.ts";
import { GENERATION_KEY, selectElitePopulation } from "./population.ts";
import { NsgaIISampler } from "./sampler.ts";

const generation = (t: FrozenTrial) => t.systemAttrs[GENERATION_KEY] as number;

Deno.test("NSGA-II: generation 0 is random, then children take their parents' values", async () => {
  const sampler = new NsgaIISampler({
    populationSize: 8,
    seed: 5,
    mutationProb: 0,
    crossoverProb: 1,
  });
  const study = await createStudy({ directions: ["minimize", "minimize"], sampler });
  await study.optimize((trial) => {
    const x = trial.suggestFloat("x", 0, 1);
    const y = trial.suggestFloat("y", 0, 1);
    return [x + y, 2 - x - y * y];
  }, { nTrials: 32 });
  assert.deepEqual(
    study.trials.map(generation),
    [...Array(8).fill(0), ...Array(8).fill(1), ...Array(8).fill(2), ...Array(8).fill(3)],
  );
  // Without mutation every value of generation g + 1 comes from a trial of an earlier generation.
  for (const trial of study.trials.filter((t) => generation(t) > 0)) {
    const earlier = study.trials.filter((t) => generation(t) < generation(trial));
    for (const name of ["x", "y"]) {
      assert.ok(
        earlier.some((t) => t.params[name] === trial.params[name]),
        `trial ${trial.number}'s ${name} comes from no earlier trial`,
      );
    }
  }
  // Generation 1's children are crossovers: some mix x of one parent with y of another.
  const first = study.trials.filter((t) => generation(t) === 0);
  const mixed = study.trials.filter((t) => generation(t) === 1).some((child) =>
    !first.some((p) => p.params.x === child.params.x && p.params.y === child.params.y)
  );
  assert.ok(mixed);
});

Deno.test("NSGA-II: workers sharing a storage evolve one population", async () => {
  const storage = new InMemoryStorage();
  const open = (seed: number) =>
    createStudy({
      storage,
      name: "shared",
      directions: ["minimize", "minimize"],
      sampler: new NsgaIISampler({ populationSize: 4, seed }),
      loadIfExists: true,
    });
  const a = await open(1), b = await open(2);
  for (let i = 0; i < 12; i++) {
    const study = i % 2 === 0 ? a : b;
    const trial = await study.ask();
    const x = trial.suggestFloat("x", 0, 1);
    await study.tell(trial, [x, 1 - x]);
  }
  const trials = await a.getTrials();
  assert.deepEqual(trials.map(generation), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
});

Deno.test("NSGA-II refuses options outside Optuna's ranges", () => {
  assert.throws(() => new NsgaIISampler({ populationSize: 1 }), /populationSize/);
  assert.throws(() => new NsgaIISampler({ mutationProb: 1.5 }), /mutationProb/);
  assert.throws(() => new NsgaIISampler({ crossoverProb: -0.1 }), /crossoverProb/);
});

Deno.test("NSGA-II with constraints ranks feasible children first", async () => {
  const sampler = new NsgaIISampler({
    populationSize: 6,
    seed: 2,
    mutationProb: 0.2,
    constraintsFunc: (trial) => [(trial.params.x as number) - 0.5],
  });
  const study = await createStudy({ directions: ["minimize", "minimize"], sampler });
  await study.optimize((trial) => {
    const x = trial.suggestFloat("x", 0, 1);
    const y = trial.suggestFloat("y", 0, 1);
    return [1 - x + y, x * x + y];
  }, { nTrials: 42 });
  for (const t of study.trials) {
    assert.deepEqual(t.systemAttrs.constraints, [(t.params.x as number) - 0.5]);
  }
  // Later generations draw from feasible parents: far more of them are feasible than the half
  // that random draws would give.
  const late = study.trials.filter((t) => generation(t) >= 3);
  const feasible = late.filter((t) => (t.params.x as number) <= 0.5).length;
  assert.ok(feasible / late.length > 0.75, `${feasible} of ${late.length} feasible`);
});

const optunaPython = await findPython(["optuna"]);

Deno.test({
  name: "NSGA-II elite selection matches Optuna 3.1's on a random population",
  ignore: optunaPython === null,
  fn: async () => {
    const rng = trialRng(11, 0, "nsga2-fixture");
    // Coarse values make ties, so rank and crowding-distance order both matter.
    const rows = Array.from({ length: 70 }, (_, i) => ({
      values: [Math.round(rng.uniform() * 8), Math.round(rng.uniform() * 8)],
      constraints: [Math.round(rng.uniform() * 6) - 4],
      number: i,
    }));
    const script = `
import json, sys, warnings
warnings.filterwarnings("ignore")
import optuna
from optuna.trial import create_trial
optuna.logging.set_verbosity(optuna.logging.ERROR)
rows = json.load(sys.stdin)
out = []
for constrained in (False, True):
    sampler = optuna.samplers.NSGAIISampler(population_size=30,
        constraints_func=(lambda t: t.system_attrs["constraints"]) if constrained else None)
    study = optuna.create_study(directions=["minimize", "maximize"], sampler=sampler)
    for r in rows:
        study.add_trial(create_trial(values=r["values"], system_attrs={"constraints": r["constraints"]}))
    elite = sampler._select_elite_population(study, study.get_trials())
    out.append([t.number for t in elite])
print(json.dumps(out))
`;
    const result = await runPython(optunaPython!, ["-c", script], { stdin: JSON.stringify(rows) });
    assert.equal(result.code, 0, result.stderr);
    const [plain, constrained] = JSON.parse(result.stdout) as number[][];
    const trials = rows.map((r) => done(r.number, r.values, r.constraints));
    const directions = ["minimize", "maximize"] as const;
    const ours = (fn: typeof dominates) =>
      selectElitePopulation(trials, directions, 30, fn).map((t) => t.number);
    assert.deepEqual(ours(dominates), plain);
    assert.deepEqual(ours(constrainedDominates), constrained);
  },
});
