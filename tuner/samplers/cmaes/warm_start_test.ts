import assert from "node:assert/strict";
import { findPython, runPython } from "../../../tests/python_helpers.ts";
import { Rng } from "../../../engine/random.ts";
import { createStudy } from "../../create_study.ts";
import type { Trial } from "../../trial.ts";
import { RandomSampler } from "../random.ts";
import { CmaEsSampler } from "./sampler.ts";
import { warmStartDistribution } from "./warm_start.ts";

const python = await findPython(["cmaes"]);

Deno.test({
  name: "warm start gives cmaes 0.9.1's get_warm_start_mgd mean, sigma and covariance",
  ignore: python === null,
  async fn() {
    const rng = new Rng(3);
    const solutions = Array.from({ length: 57 }, () => {
      const x = [rng.uniform() * 4 - 2, rng.uniform(), rng.uniform() * 10];
      return [x, (x[0] - 1) ** 2 + x[1] + 0.1 * x[2]] as [number[], number];
    });
    const mine = warmStartDistribution(solutions);
    const code = "import json, sys, numpy as np\nfrom cmaes import get_warm_start_mgd\n" +
      "s = [(np.array(x), v) for x, v in json.loads(sys.argv[1])]\n" +
      "m, sigma, cov = get_warm_start_mgd(s)\n" +
      "print(json.dumps({'mean': list(m), 'sigma': sigma, 'cov': list(cov.reshape(-1))}))";
    const result = await runPython(python!, ["-c", code, JSON.stringify(solutions)]);
    assert.equal(result.code, 0, result.stderr);
    const theirs = JSON.parse(result.stdout);
    const close = (a: number[], b: number[], what: string) =>
      a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-9 * Math.max(1, Math.abs(b[i])), what));
    close(mine.mean, theirs.mean, "mean");
    close([mine.sigma], [theirs.sigma], "sigma");
    close(mine.cov, theirs.cov, "cov");
  },
});

Deno.test("CMA-ES warm-started from a similar study starts near that study's best", async () => {
  const objective = (shift: number) => (trial: Trial) =>
    (trial.suggestFloat("x", -10, 10) - 7 - shift) ** 2 +
    (trial.suggestFloat("y", -10, 10) + 6) ** 2;
  const source = await createStudy({ sampler: new RandomSampler({ seed: 1 }) });
  await source.optimize(objective(0), { nTrials: 100 });
  const run = async (sampler: CmaEsSampler) => {
    const study = await createStudy({ sampler });
    await study.optimize(objective(0.5), { nTrials: 7 });
    // Trials 1–6 are CMA-ES's first generation.
    return study.trials.slice(1).map((t) => t.value!).sort((a, b) => a - b)[2];
  };
  const warm = await run(new CmaEsSampler({ seed: 2, sourceTrials: source.trials }));
  const cold = await run(new CmaEsSampler({ seed: 2 }));
  assert.ok(warm < 5 && warm < cold / 10, `median of generation 0: warm ${warm}, cold ${cold}`);
  assert.throws(
    () => new CmaEsSampler({ sourceTrials: source.trials, sigma0: 1 }),
    /cannot be combined with x0 or sigma0/,
  );
});
