/**
 * A study as an Optuna script (`GET /api/studies/:id/optuna.py`): the objective draws the study's
 * search space with `trial.suggest_*` as ajuste's tuner walks it (a choice's sub-space only when
 * that choice is taken, a searched depth layer by layer), applies it to the base run config, and
 * trains it with the same Python as the run script (`pytorch_script.ts`), reporting each epoch's
 * metric to the pruner; then `create_study` with the study's sampler and pruner, `optimize`, and
 * the notebook's two plots.
 *
 * @module
 */

import { parseRunConfig } from "../config/schema.ts";
import type { StudySpec } from "../config/study_schema.ts";
import {
  choiceKey,
  LAYER_COUNT_PARAM,
  LAYER_FIELDS,
  LAYERS_PATH,
  type LayersEntry,
  type ParamSpec,
  type SpaceSpec,
} from "../config/space_schema.ts";
import { isParamSpec, spaceParams } from "../config/space_walk.ts";
import type { RunConfig } from "../engine/spec.ts";
import { gridFromSpace } from "../tuner/from_spec.ts";
import {
  dataConstants,
  dataNote,
  importLines,
  sections,
  trainingSectionNames,
} from "./pytorch_script.ts";
import { pythonLiteral } from "./python_source.ts";
import { datasetFeatures, scriptDataset, trainingFeatures } from "./script_features.ts";
import { configDefaults } from "./study_defaults.ts";

export interface ScriptStudy {
  id?: number;
  name: string;
  spec: StudySpec;
}

/** Why a study cannot be written as a script, said to whoever asked for it. */
export class StudyScriptError extends Error {}

/** `trial.suggest_*(...)` drawing `name` from `param`, its arguments in one string. */
function suggestion(name: string, param: ParamSpec, nameCode = JSON.stringify(name)) {
  if (param.type === "categorical") {
    return {
      method: "trial.suggest_categorical",
      args: `${nameCode}, ${pythonLiteral(param.choices)}`,
    };
  }
  const options = [
    ...(param.step === undefined ? [] : [`step=${param.step}`]),
    ...(param.log ? ["log=True"] : []),
  ];
  const method = param.type === "float" ? "trial.suggest_float" : "trial.suggest_int";
  return { method, args: [nameCode, param.low, param.high, ...options].join(", ") };
}

/** `lead` + the suggestion, its arguments on a line of their own past 100 characters. */
function suggestLine(pad: string, lead: string, call: { method: string; args: string }): string {
  const flat = `${pad}${lead}${call.method}(${call.args})`;
  return flat.length <= 100
    ? flat
    : `${pad}${lead}${call.method}(\n${pad}    ${call.args}\n${pad})`;
}

/** `value == choice` in Python, `is` for True, False and None (1 == True there). */
function matches(value: string, choice: unknown): string {
  return typeof choice === "boolean" || choice === null
    ? `${value} is ${pythonLiteral(choice)}`
    : `${value} == ${pythonLiteral(choice)}`;
}

function layersCode(entry: LayersEntry, pad: string): string[] {
  const fields = LAYER_FIELDS.filter((field) => entry.layer[field] !== undefined).map((field) => {
    const value = entry.layer[field];
    const lead = `${JSON.stringify(field)}: `;
    return isParamSpec(value)
      ? `${
        suggestLine(`${pad}        `, lead, suggestion("", value, `f"${LAYERS_PATH}.{i}.${field}"`))
      },`
      : `${pad}        ${lead}${pythonLiteral(value)},`;
  });
  const count = suggestion(LAYER_COUNT_PARAM, {
    type: "int",
    low: entry.low,
    high: entry.high,
    log: false,
  });
  return [
    `${pad}layers = []`,
    `${pad}for i in range(${count.method}(${count.args})):`,
    ...(fields.length ? [`${pad}    layers.append({`, ...fields, `${pad}    })`] : [
      `${pad}    layers.append({})`,
    ]),
    `${pad}params[${JSON.stringify(LAYERS_PATH)}] = layers`,
  ];
}

/** The body lines that walk `space`, indented by `pad`. */
function walkCode(space: SpaceSpec, pad: string): string[] {
  const lines: string[] = [];
  for (const [path, entry] of Object.entries(space)) {
    if (entry.type === "layers") {
      lines.push(...layersCode(entry, pad));
      continue;
    }
    const param: ParamSpec = entry.type === "categorical"
      ? { type: "categorical", choices: entry.choices }
      : entry;
    const target = `params[${JSON.stringify(path)}]`;
    lines.push(suggestLine(pad, `${target} = `, suggestion(path, param)));
    if (entry.type !== "categorical" || !entry.when) continue;
    for (const choice of entry.choices) {
      const branch = entry.when[choiceKey(choice)];
      if (!branch) continue;
      lines.push(`${pad}if ${matches(target, choice)}:`, ...walkCode(branch, `${pad}    `));
    }
  }
  return lines;
}

/** `suggest_config(trial)`: the study's space walked with `trial.suggest_*`. */
export function suggestConfig(space: SpaceSpec): string {
  return [
    "def suggest_config(trial):",
    '    """One trial\'s run config: the search space drawn with trial.suggest_*, each choice\'s',
    '    sub-space only when the trial takes it, then set on BASE (dotted paths) and completed."""',
    "    params = {}",
    ...walkCode(space, "    "),
    "    config = copy.deepcopy(BASE)",
    "    for path, value in params.items():",
    "        set_param(config, FULL_BASE, path, value)",
    "    return with_defaults(config)",
  ].join("\n");
}

/** Optuna's GridSampler values: the space's own where it is flat, else every parameter's. */
function gridValues(space: SpaceSpec): Record<string, unknown[]> {
  const params = spaceParams(space);
  const axes = gridFromSpace(params);
  return Object.fromEntries(
    Object.entries(axes).map(([name, axis]) => [
      name,
      Array.from({ length: axis.size }, (_, k) => axis.at(k)),
    ]),
  );
}

/** `callee(name=value, …)`, its arguments on a line of their own past 100 characters. */
function call(indent: string, lead: string, callee: string, options: Record<string, unknown>) {
  const args = keywordArgs(options);
  const flat = `${indent}${lead}${callee}(${args})`;
  return flat.length <= 100 ? flat : `${indent}${lead}${callee}(\n${indent}    ${args}\n${indent})`;
}

function samplerCode(study: ScriptStudy): string[] {
  const { sampler, space } = study.spec;
  if (sampler.type === "tpe") {
    return [call("    ", "sampler = ", "optuna.samplers.TPESampler", {
      seed: sampler.seed,
      n_startup_trials: sampler.nStartupTrials,
      n_ei_candidates: sampler.nEiCandidates,
      multivariate: sampler.multivariate,
      constant_liar: sampler.constantLiar,
    })];
  }
  if (sampler.type === "random") {
    return [call("    ", "sampler = ", "optuna.samplers.RandomSampler", { seed: sampler.seed })];
  }
  if (sampler.type === "nsga2") {
    return [call("    ", "sampler = ", "optuna.samplers.NSGAIISampler", {
      seed: sampler.seed,
      population_size: sampler.populationSize,
      mutation_prob: sampler.mutationProb,
      crossover_prob: sampler.crossoverProb,
      swapping_prob: sampler.swappingProb,
    })];
  }
  if (sampler.type === "cmaes") {
    const restarts = sampler.restartStrategy === "none" ? undefined : sampler.restartStrategy;
    return [
      ...(restarts === "bipop"
        ? ['    # restart_strategy="bipop" needs Optuna 3.2 or later (3.1 offers only "ipop").']
        : []),
      call("    ", "sampler = ", "optuna.samplers.CmaEsSampler", {
        seed: sampler.seed,
        n_startup_trials: sampler.nStartupTrials,
        sigma0: sampler.sigma0,
        popsize: sampler.popsize,
        restart_strategy: restarts,
        inc_popsize: restarts && sampler.incPopsize,
        consider_pruned_trials: sampler.considerPrunedTrials || undefined,
      }),
    ];
  }
  if (sampler.type === "qmc") {
    return [
      "    # Optuna's QMCSampler draws its points with scipy.stats.qmc: it needs scipy.",
      call("    ", "sampler = ", "optuna.samplers.QMCSampler", {
        qmc_type: sampler.qmcType,
        scramble: sampler.scramble,
        seed: sampler.seed,
      }),
    ];
  }
  if (sampler.type === "gp") {
    // Guarded, not refused: the script still runs under an Optuna without GPSampler (Debian's 3.1).
    const startup = { seed: sampler.seed, n_startup_trials: sampler.nStartupTrials };
    return [
      "    # ajuste's GP sampler follows Optuna 4's GPSampler (Optuna >= 3.6, which needs scipy",
      "    # and torch); an older Optuna has none, so TPE stands in with the same seed.",
      '    if hasattr(optuna.samplers, "GPSampler"):',
      call("        ", "sampler = ", "optuna.samplers.GPSampler", {
        ...startup,
        deterministic_objective: sampler.deterministicObjective,
      }),
      "    else:",
      call("        ", "sampler = ", "optuna.samplers.TPESampler", startup),
    ];
  }
  const flat = Object.values(space).every((entry) =>
    entry.type !== "layers" && !(entry.type === "categorical" && entry.when)
  );
  let grid: Record<string, unknown[]>;
  try {
    grid = gridValues(space);
  } catch (error) {
    throw new StudyScriptError(`The study's grid has no Optuna form: ${(error as Error).message}`);
  }
  return [
    ...(flat ? [] : [
      "    # Optuna's grid is the product of every parameter's values; ajuste's skips the",
      "    # points a choice's sub-space cannot take, so this one repeats some of them.",
    ]),
    `    grid = ${pythonLiteral(grid, 4, 100, "    grid = ".length)}`,
    `    sampler = optuna.samplers.GridSampler(grid${
      sampler.seed === undefined ? "" : `, seed=${sampler.seed}`
    })`,
  ];
}

function prunerCode(study: ScriptStudy): string {
  const { pruner } = study.spec;
  if (pruner.type === "patient") {
    // PatientPruner(wrapped_pruner, patience, min_delta): None prunes once patience runs out.
    const wrapped = pruner.wrapped ? prunerCall(pruner.wrapped) : null;
    const knobs = `patience=${pythonLiteral(pruner.patience)}, ` +
      `min_delta=${pythonLiteral(pruner.minDelta)}`;
    if (!wrapped) return `    pruner = optuna.pruners.PatientPruner(None, ${knobs})`;
    // The wrapped pruner first, named, so each line stays short.
    return [
      call("    ", "wrapped = ", wrapped.callee, wrapped.options),
      `    pruner = optuna.pruners.PatientPruner(wrapped, ${knobs})`,
    ].join("\n");
  }
  const known = prunerCall(pruner);
  if (!known) return "    pruner = optuna.pruners.NopPruner()";
  return call("    ", "pruner = ", known.callee, known.options);
}

type PrunerSpec = ScriptStudy["spec"]["pruner"];

/** Optuna's class and keyword arguments for a pruner that judges by itself; null for none. */
function prunerCall(
  pruner:
    | Exclude<PrunerSpec, { type: "patient" }>
    | NonNullable<
      Extract<PrunerSpec, { type: "patient" }>["wrapped"]
    >,
): { callee: string; options: Record<string, unknown> } | null {
  switch (pruner.type) {
    case "median":
      return {
        callee: "optuna.pruners.MedianPruner",
        options: {
          n_startup_trials: pruner.nStartupTrials,
          n_warmup_steps: pruner.nWarmupSteps,
          interval_steps: pruner.intervalSteps,
        },
      };
    case "percentile":
      return {
        callee: "optuna.pruners.PercentilePruner",
        options: {
          percentile: pruner.percentile,
          n_startup_trials: pruner.nStartupTrials,
          n_warmup_steps: pruner.nWarmupSteps,
          interval_steps: pruner.intervalSteps,
          n_min_trials: pruner.nMinTrials,
        },
      };
    case "asha":
      return {
        callee: "optuna.pruners.SuccessiveHalvingPruner",
        options: {
          min_resource: pruner.minResource,
          reduction_factor: pruner.reductionFactor,
          min_early_stopping_rate: pruner.minEarlyStoppingRate,
        },
      };
    case "hyperband":
      return {
        callee: "optuna.pruners.HyperbandPruner",
        options: {
          min_resource: pruner.minResource,
          max_resource: pruner.maxResource,
          reduction_factor: pruner.reductionFactor,
        },
      };
    case "threshold":
      return {
        callee: "optuna.pruners.ThresholdPruner",
        options: {
          lower: pruner.lower,
          upper: pruner.upper,
          n_warmup_steps: pruner.nWarmupSteps,
          interval_steps: pruner.intervalSteps,
        },
      };
    default:
      return null;
  }
}

/** `key=value, …` of the options that are set. */
function keywordArgs(options: Record<string, unknown>): string {
  return Object.entries(options)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${pythonLiteral(value)}`)
    .join(", ");
}

function createStudy(study: ScriptStudy): string {
  return [
    "def create_study():",
    '    """The study with its sampler and pruner, set as in ajuste."""',
    ...samplerCode(study),
    prunerCode(study),
    "    return optuna.create_study(",
    '        study_name=STUDY["name"], direction=STUDY["direction"], sampler=sampler, pruner=pruner',
    "    )",
  ].join("\n");
}

/** Every dotted path the space may set, with the choices of its categoricals. */
function spacePaths(space: SpaceSpec, into = new Map<string, unknown[]>()) {
  for (const [path, entry] of Object.entries(space)) {
    const choices = into.get(path) ?? [];
    if (entry.type === "categorical") choices.push(...entry.choices);
    into.set(path, choices);
    if (entry.type === "categorical") {
      Object.values(entry.when ?? {}).forEach((sub) => spacePaths(sub, into));
    }
  }
  return into;
}

/** The features any trial may need: the base's, and whatever a searched path can turn on. */
export function studyFeatures(spec: StudySpec, base: RunConfig): Set<string> {
  const features = new Set([...datasetFeatures(scriptDataset(base)), ...trainingFeatures(base)]);
  const sections: Record<string, string> = {
    scheduler: "scheduler",
    earlyStopping: "early_stopping",
    regularization: "penalty",
    gradientClipping: "clipping",
  };
  for (const [path, choices] of spacePaths(spec.space)) {
    const [head] = path.split(".");
    if (sections[head]) features.add(sections[head]);
    if (path === "model.init") features.add("init");
    if (path === "optimizer.type" || path === "scheduler.type") {
      choices.forEach((choice) => features.add(String(choice)));
    }
  }
  return features;
}

function docstring(study: ScriptStudy, name: string, hasData: boolean): string {
  const title = study.id === undefined
    ? `The ajuste study "${study.name}" as an Optuna script.`
    : `Study #${study.id} "${study.name}" of ajuste as an Optuna script.`;
  const data = hasData ? " [--data PATH]" : "";
  const lines = [
    title,
    "",
    "Each trial draws the study's search space with trial.suggest_*, sets it on the base run",
    "config (BASE below, as the study file writes it) and trains it in PyTorch as the run",
    "script does, reporting each epoch's metric to the pruner; the best trial is printed and",
    "the optimisation history and parameter importances are drawn at the end. Trials run",
    "n_jobs at a time (the study's parallel; threads of this one process, sharing its GIL).",
    "",
    `    python3 ${name}${data} [--trials N] [--n-jobs N] [--no-plots]`,
    "",
    dataNote(scriptDataset(parseBase(study.spec))),
    "Needs torch (1.13 or later) and optuna (3.1 or later); plotly for the plots.",
  ];
  return `"""${lines.join("\n")}\n"""`;
}

function parseBase(spec: StudySpec): RunConfig {
  const parsed = parseRunConfig(spec.base);
  if (!parsed.ok) throw new StudyScriptError("The study's base is not a valid run config");
  return parsed.config;
}

/**
 * BASE (the study's base as written) and STUDY (its name, direction, metric, trials and
 * `parallel`, which the script's main gives Optuna as `n_jobs`).
 */
export function baseConstants(study: ScriptStudy): string {
  const { spec } = study;
  const settings = {
    name: study.name,
    direction: spec.direction,
    metric: spec.metric,
    trials: spec.trials,
    parallel: spec.parallel,
  };
  return [
    "# The study's base run config as written: fields left out take ajuste's defaults.",
    `BASE = ${pythonLiteral(spec.base, 0, 100, "BASE = ".length)}`,
    `STUDY = ${pythonLiteral(settings, 0, 100, "STUDY = ".length)}`,
  ].join("\n");
}

/** The whole script; `fileName` is what its usage line calls it. */
export function optunaScript(study: ScriptStudy, fileName = "study.py"): string {
  const { spec } = study;
  if (spacePaths(spec.space).has("data.dataset")) {
    throw new StudyScriptError(
      "The study searches data.dataset; a script reads one dataset, so it cannot be written",
    );
  }
  if ((spec.metrics?.length ?? 0) > 1 || (spec.constraints?.length ?? 0) > 0) {
    throw new StudyScriptError(
      "The Optuna script covers studies with one metric and no constraints; this study has " +
        [
          (spec.metrics?.length ?? 0) > 1 ? `${spec.metrics!.length} metrics` : "",
          spec.constraints?.length ? `${spec.constraints.length} constraint(s)` : "",
        ].filter(Boolean).join(" and "),
    );
  }
  const base = parseBase(spec);
  const dataset = scriptDataset(base);
  const features = studyFeatures(spec, base);
  const header = [
    baseConstants(study),
    "# ajuste's run config defaults (config/schema.ts), per section and per type.",
    `DEFAULTS = ${pythonLiteral(configDefaults(), 0, 100, "DEFAULTS = ".length)}`,
    dataConstants(dataset),
  ].join("\n");
  const parts = [
    docstring(study, fileName, dataset.path !== null),
    importLines(features, ["os"], true),
    header,
    ...sections(trainingSectionNames(dataset), features),
    ...sections(["study_config"], features),
    suggestConfig(spec.space),
    createStudy(study),
    ...sections(["main_study"], features),
  ];
  return `${parts.join("\n\n\n")}\n`;
}
