import assert from "node:assert/strict";
import { MAX_SPACE_DEPTH, MAX_SPACE_PARAMS } from "./space_schema.ts";
import { parseStudySpec } from "./study_schema.ts";

const lr = { type: "float", low: 1e-4, high: 0.1, log: true };
const momentum = { type: "float", low: 0, high: 0.99 };

function optimizerWhen(when: Record<string, unknown>, choices = ["sgd", "adam"]) {
  return { "optimizer.type": { type: "categorical", choices, when } };
}

const study = (space: unknown, extra: Record<string, unknown> = {}) => ({
  name: "space",
  space,
  ...extra,
});

/** Choices that each lead one level deeper: `levels` levels in all, an lr at the bottom. */
function nested(levels: number) {
  const conditionals = [["model.init", "default"], ["batch.mode", "minibatch"], [
    "optimizer.nesterov",
    false,
  ]];
  let space: Record<string, unknown> = { "optimizer.lr": lr };
  for (let i = 1; i < levels; i++) {
    const [path, choice] = conditionals[i % conditionals.length];
    space = {
      [path as string]: {
        type: "categorical",
        choices: [choice],
        when: { [String(choice)]: space },
      },
    };
  }
  return space;
}

/** [what, study, path, message fragment] */
const refused: Array<[string, unknown, string, string]> = [
  [
    "a when key that is not a choice",
    study(optimizerWhen({ sdg: { "optimizer.momentum": momentum } })),
    "space.optimizer.type.when.sdg",
    'When names "sdg", which is not a choice: expected one of "sgd", "adam"',
  ],
  [
    "a path searched at top level and inside a branch",
    study({ "optimizer.lr": lr, ...optimizerWhen({ sgd: { "optimizer.lr": lr } }) }),
    "space.optimizer.type",
    '"optimizer.lr" is searched by both "optimizer.lr" and "optimizer.type"',
  ],
  [
    "a branch setting the path that chose it",
    study(optimizerWhen({ sgd: { "optimizer": { type: "categorical", choices: [null] } } })),
    "space.optimizer.type.when.sgd",
    'overlaps "optimizer.type"',
  ],
  [
    "optimizer.lr float in one branch and categorical in another",
    study(optimizerWhen({
      sgd: { "optimizer.lr": lr },
      adam: { "optimizer.lr": { type: "categorical", choices: [0.001, 0.01] } },
    })),
    "space.optimizer.type.when.adam",
    '"optimizer.lr" is searched as float in one branch and categorical in another',
  ],
  [
    "a categorical with other choices in another branch",
    study(optimizerWhen({
      sgd: { "optimizer.lr": { type: "categorical", choices: [0.1, 0.01] } },
      adam: { "optimizer.lr": { type: "categorical", choices: [0.001, 0.01] } },
    })),
    "space.optimizer.type.when.adam",
    "a categorical keeps its choices across a study",
  ],
  [
    "a layers entry not at model.layers",
    study({ "model.hidden": { type: "layers", low: 1, high: 2, layer: { units: 32 } } }),
    "space.model.hidden",
    'its path must be "model.layers", got "model.hidden"',
  ],
  [
    "a layers entry without units",
    study({ "model.layers": { type: "layers", low: 1, high: 2, layer: { dropout: 0.1 } } }),
    "space.model.layers.layer",
    "Layer must give units",
  ],
  [
    "a layer field the run config refuses",
    study({
      "model.layers": {
        type: "layers",
        low: 1,
        high: 2,
        layer: { units: 32, dropout: { type: "float", low: 0, high: 1 } },
      },
    }),
    "space.model.layers.layer.dropout",
    "Dropout must be in [0, 1)",
  ],
  [
    "a branch value the run config refuses",
    study(optimizerWhen({
      adam: { "optimizer.betas.0": { type: "float", low: 0.8, high: 1.5 } },
    })),
    "space.optimizer.type.when.adam.optimizer.betas.0",
    'Cannot set "optimizer.betas.0" to 1.5 (high)',
  ],
  [
    `nesting deeper than MAX_SPACE_DEPTH (${MAX_SPACE_DEPTH})`,
    study(nested(MAX_SPACE_DEPTH + 1)),
    "space",
    `Sub-spaces may nest at most ${MAX_SPACE_DEPTH} levels deep`,
  ],
  [
    `more than MAX_SPACE_PARAMS (${MAX_SPACE_PARAMS}) distributions counted across branches`,
    study(optimizerWhen({
      // 1 + 33 + 33: neither branch alone is over the limit.
      sgd: Object.fromEntries(
        Array.from({ length: 33 }, (_, i) => [`data.p${i}`, { type: "int", low: 0, high: 1 }]),
      ),
      adam: Object.fromEntries(
        Array.from({ length: 33 }, (_, i) => [`data.q${i}`, { type: "int", low: 0, high: 1 }]),
      ),
    })),
    "space",
    `Space may define at most ${MAX_SPACE_PARAMS} parameters, got 67`,
  ],
  [
    "a grid with an unstepped float inside a branch",
    study(optimizerWhen({ sgd: { "optimizer.momentum": momentum } }), {
      sampler: { type: "grid" },
    }),
    "space.optimizer.type.when.sgd.optimizer.momentum",
    'The grid sampler needs a step for float parameter "optimizer.momentum"',
  ],
  [
    "a grid with an unstepped float layer field",
    study({
      "model.layers": {
        type: "layers",
        low: 1,
        high: 3,
        layer: { units: 32, dropout: { type: "float", low: 0, high: 0.5 } },
      },
    }, { sampler: { type: "grid" } }),
    "space.model.layers.layer.dropout",
    'The grid sampler needs a step for float layer field "dropout"',
  ],
];

for (const [what, input, path, fragment] of refused) {
  Deno.test(`parseStudySpec() refuses ${what} at ${path}`, () => {
    const result = parseStudySpec(input);
    assert.ok(!result.ok, `expected a refused study: ${what}`);
    const issue = result.issues.find((candidate) => candidate.path === path);
    assert.ok(issue, `no issue at "${path}" in ${JSON.stringify(result.issues)}`);
    assert.ok(issue.message.includes(fragment), `"${issue.message}" lacks "${fragment}"`);
  });
}

Deno.test("parseStudySpec() accepts sub-spaces nested exactly MAX_SPACE_DEPTH levels", () => {
  const base = { optimizer: { type: "sgd" } };
  const result = parseStudySpec(study(nested(MAX_SPACE_DEPTH), { base }));
  assert.ok(result.ok, JSON.stringify(result));
});

Deno.test("parseStudySpec() refuses a space nested 10000 levels without overflowing the stack", () => {
  const result = parseStudySpec(study(nested(10000)));
  assert.ok(!result.ok);
  assert.deepEqual(result.issues, [{
    path: "space",
    message: `Sub-spaces may nest at most ${MAX_SPACE_DEPTH} levels deep`,
  }]);
});

Deno.test("parseStudySpec() accepts the exercise's space with conditional optimizer fields", () => {
  const result = parseStudySpec({
    name: "exercise",
    base: { data: { dataset: "mnist", trainSize: 600 }, epochs: 1, device: "cpu" },
    space: {
      "model.layers": {
        type: "layers",
        low: 2,
        high: 4,
        layer: {
          units: { type: "int", low: 16, high: 128, log: true },
          batchNorm: true,
          dropout: { type: "float", low: 0, high: 0.5 },
        },
      },
      "regularization.l2": { type: "float", low: 1e-6, high: 1e-2, log: true },
      ...optimizerWhen({
        // Nesterov needs a momentum above 0; the base's is 0, the searched one is not always.
        sgd: {
          "optimizer.lr": { type: "float", low: 1e-3, high: 0.3, log: true },
          "optimizer.momentum": momentum,
          "optimizer.nesterov": { type: "categorical", choices: [false, true] },
        },
        adam: {
          "optimizer.lr": { type: "float", low: 1e-5, high: 1e-2, log: true },
          "optimizer.betas.0": { type: "float", low: 0.8, high: 0.99 },
        },
      }),
    },
  });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
});

Deno.test("parseStudySpec() accepts one path searched in two branches with two ranges", () => {
  const result = parseStudySpec(study(optimizerWhen({
    sgd: { "optimizer.lr": { type: "float", low: 1e-3, high: 0.3, log: true } },
    adam: { "optimizer.lr": { type: "float", low: 1e-5, high: 1e-2, log: true } },
  })));
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
});

Deno.test("parseStudySpec() accepts a grid whose branches step one path differently", () => {
  const result = parseStudySpec(study(
    optimizerWhen({
      sgd: { "optimizer.lr": { type: "float", low: 0.01, high: 0.1, step: 0.03 } },
      adam: { "optimizer.lr": { type: "float", low: 0.001, high: 0.002, step: 0.0005 } },
    }),
    { sampler: { type: "grid" } },
  ));
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
});
