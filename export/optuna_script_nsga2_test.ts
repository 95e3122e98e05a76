import assert from "node:assert/strict";
import { parseStudySpec, type StudySpec } from "../config/study_schema.ts";
import { findPython, runPython } from "../tests/python_helpers.ts";
import { optunaScript, StudyScriptError } from "./optuna_script.ts";

function study(input: Record<string, unknown>): StudySpec {
  const parsed = parseStudySpec({
    name: "study",
    space: { "optimizer.lr": { type: "float", low: 1e-4, high: 1e-1, log: true } },
    ...input,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.spec;
}

const optunaPython = await findPython(["optuna"]);

Deno.test({
  name:
    "an nsga2 study's script builds Optuna's NSGAIISampler with its knobs (needs python3-optuna)",
  ignore: optunaPython === null,
  async fn() {
    const spec = study({ sampler: { type: "nsga2", seed: 2, populationSize: 20 } });
    const lines = optunaScript({ id: 1, name: "s", spec }).split("\n");
    const first = lines.findIndex((l) => l.includes("NSGAIISampler"));
    const last = lines.findIndex((l, i) => i > first && /^ {4}pruner = /.test(l));
    const sampler = lines.slice(first, last).map((l) => l.slice(4)).join("\n");
    assert.match(
      sampler.replace(/\s+/g, " "),
      /NSGAIISampler\( ?seed=2, population_size=20, crossover_prob=0\.9, swapping_prob=0\.5 ?\)/,
    );
    const code = `import optuna\n${sampler}\n` +
      "print(type(sampler).__name__, sampler._population_size, sampler._crossover_prob)";
    const result = await runPython(optunaPython!, ["-W", "ignore", "-c", code]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "NSGAIISampler 20 0.9");
  },
});

Deno.test("optunaScript() says it cannot write a study with several metrics or constraints", () => {
  const spec = study({
    metrics: ["devAccuracy", "parameterCount"],
    constraints: [{ metric: "epochSeconds", max: 2 }],
  });
  assert.throws(
    () => optunaScript({ id: 1, name: "s", spec }),
    (e) => e instanceof StudyScriptError && /2 metrics and 1 constraint/.test(e.message),
  );
});
