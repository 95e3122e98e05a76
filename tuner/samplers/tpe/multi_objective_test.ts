import assert from "node:assert/strict";
import { findPython, runPython } from "../../../tests/python_helpers.ts";
import { createStudy } from "../../create_study.ts";
import { trialRng } from "../trial_rng.ts";
import { splitMultiObjective, weightsBelow } from "./multi_objective.ts";
import { splitObservations } from "./observations.ts";
import { TpeSampler } from "./sampler.ts";

const losses = [[1, 5], [2, 3], [4, 1], [3, 4], [5, 5]];

Deno.test("MOTPE split: whole non-domination ranks first, then hypervolume subset selection", () => {
  assert.deepEqual(splitMultiObjective(losses, 3), { below: [0, 1, 2], above: [3, 4] });
  assert.deepEqual(splitMultiObjective(losses, 4).below, [0, 1, 2, 3]);
  // Two of rank 0 under the reference (4.4, 5.5): (2, 3) adds the most (6), then (4, 1)
  // adds 1.8 against (1, 5)'s 1.7.
  assert.deepEqual(splitMultiObjective(losses, 2), { below: [1, 2], above: [0, 3, 4] });
});

Deno.test("MOTPE weights: hypervolume contributions over the largest; infeasible get ~0", () => {
  // Under (4.4, 5.5) alone: (1, 5) adds 1·0.5, (2, 3) adds 2·2, (4, 1) adds 0.4·2.
  const w = weightsBelow(losses, [0, 1, 2], null);
  assert.ok(
    Math.abs(w[0] - 0.5 / 4) < 1e-9 && w[1] === 1 && Math.abs(w[2] - 0.8 / 4) < 1e-9,
    `${w}`,
  );
  const constrained = weightsBelow(losses, [0, 1, 2], [0, 0, 3, 0, 0]);
  assert.ok(constrained[2] < 1e-9);
});

Deno.test("Constrained split: feasible trials first, then the least violating", () => {
  const scores = [5, 1, 3, 0, 4].map((v) => [-Infinity, v] as const);
  const violations = [0, 2, 0, 0.5, 0];
  // Three feasible trials cover two places: the two best of them (3 and 4).
  assert.deepEqual(splitObservations(scores, 2, { violations }), {
    below: [2, 4],
    above: [0, 1, 3],
  });
  // Four places: all feasible ones, then the smaller violation.
  assert.deepEqual(splitObservations(scores, 4, { violations }).below, [0, 2, 3, 4]);
});

Deno.test("TPE with constraintsFunc stores constraints and steers to feasible points", async () => {
  const share = async (constrained: boolean) => {
    const sampler = new TpeSampler({
      seed: 4,
      constraintsFunc: constrained ? (trial) => [3 - (trial.params.x as number)] : undefined,
    });
    const study = await createStudy({ sampler });
    await study.optimize((trial) => trial.suggestFloat("x", -10, 10) ** 2, { nTrials: 40 });
    for (const t of study.trials) {
      assert.deepEqual(
        t.systemAttrs.constraints,
        constrained ? [3 - (t.params.x as number)] : undefined,
      );
    }
    const late = study.trials.slice(15);
    return late.filter((t) => (t.params.x as number) >= 3).length / late.length;
  };
  // x ≥ 3 required; x² alone pulls TPE to 0, which is infeasible.
  const withConstraint = await share(true), without = await share(false);
  assert.ok(withConstraint > without + 0.25, `${withConstraint} vs ${without} feasible`);
});

Deno.test("Multi-objective TPE runs a two-objective study past its startup trials", async () => {
  const study = await createStudy({
    directions: ["minimize", "minimize"],
    sampler: new TpeSampler({ seed: 1, nStartupTrials: 5 }),
  });
  await study.optimize((trial) => {
    const x = trial.suggestFloat("x", 0, 1), y = trial.suggestFloat("y", 0, 1);
    return [x, (1 + 9 * y) * (1 - Math.sqrt(x / (1 + 9 * y)))];
  }, { nTrials: 30 });
  assert.equal(study.trials.filter((t) => t.state === "COMPLETE").length, 30);
  // ZDT1's front has y = 0: TPE's later trials crowd towards it.
  const y = (from: number, to: number) =>
    study.trials.slice(from, to).reduce((s, t) => s + (t.params.y as number), 0) / (to - from);
  assert.ok(y(20, 30) < y(0, 5), `late mean y ${y(20, 30)} vs start-up ${y(0, 5)}`);
});

const optunaPython = await findPython(["optuna"]);

Deno.test({
  name: "MOTPE split and weights match Optuna 3.1's on random losses with constraints",
  ignore: optunaPython === null,
  fn: async () => {
    const rng = trialRng(3, 0, "motpe-fixture");
    const cases = [12, 30].map((n) => ({
      losses: Array.from({ length: n }, () => [rng.uniform(), rng.uniform() * 2, rng.uniform()]),
      violations: Array.from({ length: n }, () => rng.uniform() < 0.3 ? rng.uniform() : 0),
      nBelow: Math.ceil(n / 4),
    }));
    const script = `
import json, sys, numpy as np
from optuna.samplers._tpe.sampler import _split_observation_pairs, _calculate_weights_below_for_multi_objective
out = []
for c in json.load(sys.stdin):
    pairs = [(-float("inf"), l) for l in c["losses"]]
    for v in (None, c["violations"]):
        below, above = _split_observation_pairs(pairs, c["nBelow"], v)
        w = _calculate_weights_below_for_multi_objective(pairs, np.sort(below), v)
        out.append({"below": sorted(int(i) for i in below), "weights": [float(x) for x in w]})
print(json.dumps(out))
`;
    const result = await runPython(optunaPython!, ["-c", script], { stdin: JSON.stringify(cases) });
    assert.equal(result.code, 0, result.stderr);
    const expected = JSON.parse(result.stdout) as { below: number[]; weights: number[] }[];
    let k = 0;
    for (const c of cases) {
      for (const violations of [null, c.violations]) {
        const scores = c.losses.map(() => [-Infinity, 0] as const);
        const { below } = splitObservations(scores, c.nBelow, { losses: c.losses, violations });
        assert.deepEqual(below, expected[k].below);
        const weights = weightsBelow(c.losses, below, violations);
        weights.forEach((w, i) => assert.ok(Math.abs(w - expected[k].weights[i]) < 1e-9));
        k++;
      }
    }
  },
});
