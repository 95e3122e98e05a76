/**
 * The study form's sampler: a type and a seed, then that type's knobs (`config/study_schema.ts`
 * names and defaults them; an empty field takes the default). Random, grid and NSGA-II have none
 * here (NSGA-II's population sits with the second objective).
 *
 * @module
 */

import {
  CheckboxField,
  type Choice,
  type FormState,
  NumberField,
  SelectField,
} from "../shell/form_fields.tsx";
import { STUDY_PREFIX } from "./study_form_state.ts";

const SAMPLER_CHOICES: Choice[] = [
  { value: "tpe", label: "TPE" },
  { value: "random", label: "Random" },
  { value: "grid", label: "Grid" },
  { value: "nsga2", label: "NSGA-II (several objectives)" },
  { value: "gp", label: "GP (Gaussian process)" },
  { value: "cmaes", label: "CMA-ES" },
  { value: "qmc", label: "QMC (Sobol, Halton)" },
];

const RESTART_CHOICES: Choice[] = [
  { value: "none", label: "None" },
  { value: "ipop", label: "IPOP" },
  { value: "bipop", label: "BIPOP" },
];

const QMC_CHOICES: Choice[] = [
  { value: "sobol", label: "Sobol" },
  { value: "halton", label: "Halton" },
];

const TPE_HELP =
  "TPE learns from earlier trials; GP models them (small smooth spaces); grid tries every step.";

export function SamplerFields(props: { state: FormState }) {
  const { state } = props;
  return (
    <>
      <div class="row">
        <SelectField
          state={state}
          name={`${STUDY_PREFIX}sampler.type`}
          label="Sampler"
          help={TPE_HELP}
          choices={SAMPLER_CHOICES}
        />
        <NumberField
          state={state}
          name={`${STUDY_PREFIX}sampler.seed`}
          label="Sampler seed"
          help="Same seed, same trials; empty for a random start."
          integer
        />
      </div>
      <SamplerKnobs state={state} type={state.values[`${STUDY_PREFIX}sampler.type`]} />
    </>
  );
}

/** How a number knob's input reads: whole numbers only, and what an empty one stands for. */
interface NumberShown {
  integer?: boolean;
  placeholder?: string;
}

/** The knobs of a sampler of `type`, in a row of their own; none for a sampler without any. */
function SamplerKnobs(props: { state: FormState; type: string | undefined }) {
  const { state } = props;
  const name = (knob: string) => `${STUDY_PREFIX}sampler.${knob}`;
  const number = (knob: string, label: string, help: string, shown: NumberShown = {}) => (
    <NumberField state={state} name={name(knob)} label={label} help={help} {...shown} />
  );
  const integer = (knob: string, label: string, help: string, placeholder?: string) =>
    number(knob, label, help, { integer: true, placeholder });
  const checkbox = (knob: string, label: string, help: string) => (
    <CheckboxField state={state} name={name(knob)} label={label} help={help} />
  );
  const select = (knob: string, label: string, choices: Choice[], help?: string) => (
    <SelectField state={state} name={name(knob)} label={label} help={help} choices={choices} />
  );
  const startupTrials = (help: string) => integer("nStartupTrials", "Startup trials", help);
  switch (props.type) {
    case "tpe":
      return (
        <div class="row">
          {startupTrials("Random trials before TPE models the results.")}
          {integer("nEiCandidates", "EI candidates", "Draws scored per parameter.")}
          {checkbox("multivariate", "Multivariate", "Models parameters jointly.")}
          {checkbox("constantLiar", "Constant liar", "Parallel workers spread out.")}
        </div>
      );
    case "gp":
      return (
        <div class="row">
          {startupTrials("Random trials before the GP models the results.")}
          {checkbox(
            "deterministicObjective",
            "Deterministic objective",
            "No noise: same parameters, same value.",
          )}
        </div>
      );
    case "cmaes":
      return (
        <div class="row">
          {startupTrials("Random trials before CMA-ES starts.")}
          {integer("popsize", "Population", "Trials per generation.", "4 + 3 ln n")}
          {number("sigma0", "Sigma0", "Initial step, in the scaled space.", {
            placeholder: "range / 6",
          })}
          {select(
            "restartStrategy",
            "Restarts",
            RESTART_CHOICES,
            "When stuck: IPOP grows the population, BIPOP alternates large and small.",
          )}
          {integer("incPopsize", "Population factor", "Per IPOP restart.")}
          {checkbox("considerPrunedTrials", "Use pruned trials", "At their last reported value.")}
        </div>
      );
    case "qmc":
      return (
        <div class="row">
          {select("qmcType", "Sequence", QMC_CHOICES)}
          {checkbox("scramble", "Scramble", "Randomised by the seed.")}
        </div>
      );
    default:
      return null;
  }
}
