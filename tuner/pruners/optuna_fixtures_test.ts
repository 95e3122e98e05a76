/**
 * ajuste's pruners against Optuna 3.1's on the same learning curves: every trial is pruned at the
 * step Optuna pruned it, or runs to its end where Optuna's did. The curves and verdicts come from
 * `tests/fixtures/make_pruner_fixtures.py`; see its header for how they were replayed.
 */

import assert from "node:assert/strict";
import { createStudy } from "../create_study.ts";
import { prunerFromSpec, type PrunerSpec } from "../from_spec.ts";
import type { StudyDirection } from "../frozen_trial.ts";
import { RandomSampler } from "../samplers/random.ts";
import { HyperbandPruner } from "./hyperband.ts";

interface Case {
  name: string;
  direction: StudyDirection;
  pruner: PrunerSpec;
  /** Trial i reports curves[i][k] at step k + 1; null stands for NaN. */
  curves: (number | null)[][];
  /** The step Optuna pruned each trial at, or null when it ran to its end. */
  prunedAt: (number | null)[];
}

interface BracketSettings {
  minResource: number;
  maxResource: number;
  reductionFactor: number;
  nBrackets: number;
  budgets: number[];
  /** Study name → the brackets of its trials 0, 1, … */
  brackets: Record<string, number[]>;
}

const fixture: { optuna: string; cases: Case[]; brackets: BracketSettings[] } = JSON.parse(
  await Deno.readTextFile(
    new URL("../../tests/fixtures/pruners/optuna_verdicts.json", import.meta.url),
  ),
);

/** The step at which ajuste prunes each trial of `c`, asked and told in turn as in the fixture. */
async function replay(c: Case): Promise<(number | null)[]> {
  const study = await createStudy({
    name: c.name,
    direction: c.direction,
    pruner: prunerFromSpec(c.pruner),
    sampler: new RandomSampler({ seed: 0 }),
  });
  const prunedAt: (number | null)[] = [];
  for (const curve of c.curves) {
    const trial = await study.ask();
    let pruned: number | null = null;
    for (const [k, value] of curve.entries()) {
      trial.report(value ?? NaN, k + 1);
      if (await trial.shouldPrune()) {
        pruned = k + 1;
        break;
      }
    }
    await study.tell(trial, pruned === null ? curve.at(-1) ?? NaN : "PRUNED");
    prunedAt.push(pruned);
  }
  return prunedAt;
}

for (const type of ["hyperband", "threshold", "patient", "percentile", "asha"]) {
  const cases = fixture.cases.filter((c) => c.pruner.type === type);
  Deno.test(`${type} pruner prunes every replayed curve at Optuna ${fixture.optuna}'s step`, async () => {
    const verdicts = cases.flatMap((c) => c.prunedAt);
    assert.ok(verdicts.includes(null) && verdicts.some((step) => step !== null), "both kinds");
    for (const c of cases) {
      assert.deepEqual(await replay(c), c.prunedAt, `${c.name}: ${JSON.stringify(c.pruner)}`);
    }
  });
}

Deno.test("HyperbandPruner makes Optuna's brackets, shares and trial assignments", () => {
  for (const settings of fixture.brackets) {
    const { minResource, maxResource, reductionFactor } = settings;
    const pruner = new HyperbandPruner({ minResource, maxResource, reductionFactor });
    const where = JSON.stringify({ minResource, maxResource, reductionFactor });
    assert.equal(pruner.budgets.length, settings.nBrackets, where);
    assert.deepEqual(pruner.budgets, settings.budgets, where);
    for (const [name, brackets] of Object.entries(settings.brackets)) {
      assert.deepEqual(brackets.map((_, k) => pruner.bracketOf(name, k)), brackets, where);
    }
  }
});
