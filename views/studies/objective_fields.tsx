/**
 * The New study form's fields for a second objective, a constraint and NSGA-II's population
 * (`config/objectives_schema.ts`), and how they read from and write to the study file. Field
 * names follow the file's paths (`study.metrics.1`, `study.constraints.0.max`), so that an issue
 * the study file gets shows at its field.
 *
 * @module
 */

import {
  defaultDirection,
  METRIC_LABELS,
  OBJECTIVE_METRICS,
} from "../../config/objectives_schema.ts";
import type { StudySpec } from "../../config/study_schema.ts";
import { type Choice, type FormState, NumberField, SelectField } from "../shell/form_fields.tsx";
import { defined, type FormValues, optionalNumber } from "../run_editor/run_form_state.ts";

const PREFIX = "study.";
export const METRIC2_FIELD = `${PREFIX}metrics.1`;
export const DIRECTION2_FIELD = `${PREFIX}directions.1`;
export const CONSTRAINT_METRIC_FIELD = `${PREFIX}constraints.0.metric`;
export const CONSTRAINT_MAX_FIELD = `${PREFIX}constraints.0.max`;
export const CONSTRAINT_MIN_FIELD = `${PREFIX}constraints.0.min`;

const metricChoices = (none: string): Choice[] => [
  { value: "", label: none },
  ...OBJECTIVE_METRICS.map((m) => ({ value: m, label: METRIC_LABELS[m] })),
];

/** The study file's metrics, directions and constraints the form's fields describe. */
export function readObjectives(values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const second = values[METRIC2_FIELD] ?? "";
  if (second !== "") {
    const first = values[`${PREFIX}metric`];
    out.metrics = [first, second];
    out.directions = [
      values[`${PREFIX}direction`],
      values[DIRECTION2_FIELD] || defaultDirection(second),
    ];
  }
  const constrained = values[CONSTRAINT_METRIC_FIELD] ?? "";
  if (constrained !== "") {
    out.constraints = [defined({
      metric: constrained,
      max: optionalNumber(values[CONSTRAINT_MAX_FIELD]),
      min: optionalNumber(values[CONSTRAINT_MIN_FIELD]),
    })];
  }
  return out;
}

/** NSGA-II's knob the form offers: the population size. */
export function readNsga2Sampler(values: FormValues, seed: number | string | undefined) {
  return defined({
    type: "nsga2",
    seed,
    populationSize: optionalNumber(values[`${PREFIX}sampler.populationSize`]),
  });
}

/** The form's values for a study file's second objective and first constraint. */
export function objectivesToValues(
  spec: Pick<StudySpec, "metrics" | "directions" | "constraints">,
) {
  const values: FormValues = {};
  if (spec.metrics && spec.metrics.length > 1) {
    values[METRIC2_FIELD] = spec.metrics[1];
    values[DIRECTION2_FIELD] = spec.directions?.[1] ?? defaultDirection(spec.metrics[1]);
  }
  const constraint = spec.constraints?.[0];
  if (constraint) {
    values[CONSTRAINT_METRIC_FIELD] = constraint.metric;
    if (constraint.max !== undefined) values[CONSTRAINT_MAX_FIELD] = String(constraint.max);
    if (constraint.min !== undefined) values[CONSTRAINT_MIN_FIELD] = String(constraint.min);
  }
  return values;
}

/** A second objective (a multi-objective study), a constraint, NSGA-II's population. */
export function MoreObjectiveFields(props: { state: FormState }) {
  const { state } = props;
  const sampler = state.values[`${PREFIX}sampler.type`];
  return (
    <>
      <div class="row">
        <SelectField
          state={state}
          name={METRIC2_FIELD}
          label="Second objective"
          help="Optimise two metrics at once: the study finds their Pareto front (no pruning)."
          choices={metricChoices("None")}
        />
        <SelectField
          state={state}
          name={DIRECTION2_FIELD}
          label="Its direction"
          choices={[
            { value: "", label: "By metric" },
            { value: "maximize", label: "Maximize" },
            { value: "minimize", label: "Minimize" },
          ]}
        />
      </div>
      <div class="row">
        <SelectField
          state={state}
          name={CONSTRAINT_METRIC_FIELD}
          label="Constraint"
          help="Trials outside it are kept but ranked below every trial inside."
          choices={metricChoices("None")}
        />
        <NumberField state={state} name={CONSTRAINT_MAX_FIELD} label="At most" />
        <NumberField state={state} name={CONSTRAINT_MIN_FIELD} label="At least" />
      </div>
      {sampler === "nsga2" && (
        <div class="row">
          <NumberField
            state={state}
            name={`${PREFIX}sampler.populationSize`}
            label="Population size"
            help="Trials per generation (Optuna's default: 50)."
            integer
          />
        </div>
      )}
    </>
  );
}
