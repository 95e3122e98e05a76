/**
 * The three kinds of search range a parameter can be drawn from, after Optuna 3.1's
 * `optuna/distributions.py`: {@linkcode FloatDistribution}, {@linkcode IntDistribution} and
 * {@linkcode CategoricalDistribution}.
 *
 * Each converts a parameter between its external value (what the objective sees) and an internal
 * float (what samplers and storages work with): a categorical choice becomes its index; numbers
 * stay as they are. The log scale is applied by the samplers, not by the internal form, because
 * `Math.exp(Math.log(0.001))` is `0.0010000000000000002`: a stored 0.001 must come back as 0.001.
 *
 * @module
 */

import type { ParamValue } from "./frozen_trial.ts";

/** Options of a numeric range. */
export interface NumericOptions {
  /** Sample on a log scale (needs low > 0 for floats, low ≥ 1 for integers). */
  log?: boolean;
  /** Only values low, low + step, low + 2·step, … (cannot be combined with log). */
  step?: number | null;
  /** Parameter name, only used to make error messages point at the culprit. */
  name?: string;
}

/** A distribution as plain JSON, the same shape a study file's `space` entries take. */
export type DistributionJson =
  | { type: "float" | "int"; low: number; high: number; log?: boolean; step?: number | null }
  | { type: "categorical"; choices: ParamValue[] };

export type Distribution = FloatDistribution | IntDistribution | CategoricalDistribution;

function subject(kind: string, name?: string): string {
  return name === undefined ? kind : `Parameter "${name}"`;
}

function checkRange(kind: string, low: number, high: number, options: NumericOptions): void {
  const who = subject(kind, options.name);
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    throw new RangeError(`${who} needs finite low and high, got low ${low} and high ${high}`);
  }
  if (low > high) {
    throw new RangeError(`${who} has low ${low} above high ${high}; low must be ≤ high`);
  }
  const step = options.step ?? null;
  if (options.log && step !== null) {
    throw new RangeError(`${who} sets both log and step (${step}); use one or the other`);
  }
  if (step !== null && !(step > 0 && Number.isFinite(step))) {
    throw new RangeError(`${who} has step ${step}; step must be a positive number`);
  }
}

/** A real-valued range [low, high], optionally log-scaled or stepped. */
export class FloatDistribution {
  readonly type = "float";
  readonly low: number;
  /** May be lowered to the last point of the step grid, as Optuna does. */
  readonly high: number;
  readonly log: boolean;
  readonly step: number | null;

  constructor(low: number, high: number, options: NumericOptions = {}) {
    checkRange("FloatDistribution", low, high, options);
    if (options.log && low <= 0) {
      throw new RangeError(
        `${subject("FloatDistribution", options.name)} is log-scaled with low ${low}; ` +
          `a log range needs low > 0`,
      );
    }
    this.low = low;
    this.log = options.log ?? false;
    this.step = options.step ?? null;
    // toPrecision(15) drops float noise: 0 + 3 · 0.3 gives 0.9, not 0.8999999999999999.
    this.high = this.step === null || isOnGrid(high, low, this.step)
      ? high
      : Number((low + gridSteps(low, high, this.step) * this.step).toPrecision(15));
  }

  toInternal(value: ParamValue): number {
    if (typeof value !== "number" || Number.isNaN(value)) {
      throw new TypeError(`FloatDistribution expects a number, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  toExternal(internal: number): number {
    return internal;
  }

  /** Whether an internal value lies in the range (and on the step grid, if stepped). */
  contains(internal: number): boolean {
    if (!(internal >= this.low && internal <= this.high)) return false;
    return this.step === null || isOnGrid(internal, this.low, this.step);
  }

  /** Whether the range holds exactly one value (which then needs no sampling). */
  single(): boolean {
    if (this.low === this.high) return true;
    return this.step !== null && gridSteps(this.low, this.high, this.step) === 0;
  }

  equals(other: Distribution): boolean {
    return other instanceof FloatDistribution && other.low === this.low &&
      other.high === this.high && other.log === this.log && other.step === this.step;
  }

  toJSON(): DistributionJson {
    return { type: "float", low: this.low, high: this.high, log: this.log, step: this.step };
  }
}

/** An integer range [low, high], optionally log-scaled or stepped (step 1 by default). */
export class IntDistribution {
  readonly type = "int";
  readonly low: number;
  /** Lowered to low + k·step, the last value the step reaches, as Optuna does. */
  readonly high: number;
  readonly log: boolean;
  readonly step: number;

  constructor(low: number, high: number, options: NumericOptions = {}) {
    const who = subject("IntDistribution", options.name);
    // Optuna allows log with step 1 on integers (the step every integer range has anyway).
    const unitLogStep = options.log && options.step === 1;
    checkRange("IntDistribution", low, high, unitLogStep ? { ...options, step: null } : options);
    const step = options.step ?? 1;
    if (!Number.isInteger(low) || !Number.isInteger(high) || !Number.isInteger(step)) {
      throw new RangeError(
        `${who} needs integer low, high and step, got low ${low}, high ${high}, step ${step}`,
      );
    }
    if (options.log && low < 1) {
      throw new RangeError(`${who} is log-scaled with low ${low}; a log range needs low ≥ 1`);
    }
    this.low = low;
    this.log = options.log ?? false;
    this.step = step;
    this.high = low + Math.floor((high - low) / step) * step;
  }

  toInternal(value: ParamValue): number {
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw new TypeError(`IntDistribution expects an integer, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  toExternal(internal: number): number {
    return Math.round(internal);
  }

  contains(internal: number): boolean {
    return Number.isInteger(internal) && internal >= this.low && internal <= this.high &&
      (internal - this.low) % this.step === 0;
  }

  single(): boolean {
    return this.low === this.high;
  }

  equals(other: Distribution): boolean {
    return other instanceof IntDistribution && other.low === this.low &&
      other.high === this.high && other.log === this.log && other.step === this.step;
  }

  toJSON(): DistributionJson {
    return this.log
      ? { type: "int", low: this.low, high: this.high, log: true }
      : { type: "int", low: this.low, high: this.high, log: false, step: this.step };
  }
}

/** One of a fixed list of choices; internally the index of the choice. */
export class CategoricalDistribution {
  readonly type = "categorical";
  readonly choices: readonly ParamValue[];

  constructor(choices: readonly ParamValue[], options: { name?: string } = {}) {
    const who = subject("CategoricalDistribution", options.name);
    if (!Array.isArray(choices) || choices.length === 0) {
      throw new RangeError(`${who} needs at least one choice, got ${JSON.stringify(choices)}`);
    }
    for (const choice of choices) {
      const kind = typeof choice;
      if (choice !== null && kind !== "number" && kind !== "string" && kind !== "boolean") {
        throw new TypeError(
          `${who} has choice ${String(choice)} of type ${kind}; ` +
            `choices must be strings, numbers, booleans or null`,
        );
      }
    }
    this.choices = [...choices];
  }

  toInternal(value: ParamValue): number {
    const index = this.choices.findIndex((choice) => choiceEqual(choice, value));
    if (index < 0) {
      throw new RangeError(
        `${JSON.stringify(value)} is not one of the choices ${JSON.stringify(this.choices)}`,
      );
    }
    return index;
  }

  toExternal(internal: number): ParamValue {
    return this.choices[Math.round(internal)];
  }

  contains(internal: number): boolean {
    return Number.isInteger(internal) && internal >= 0 && internal < this.choices.length;
  }

  single(): boolean {
    return this.choices.length === 1;
  }

  equals(other: Distribution): boolean {
    return other instanceof CategoricalDistribution &&
      other.choices.length === this.choices.length &&
      other.choices.every((choice, i) => choiceEqual(choice, this.choices[i]));
  }

  toJSON(): DistributionJson {
    return { type: "categorical", choices: [...this.choices] };
  }
}

/** The only value of a {@linkcode Distribution.single} distribution. */
export function singleValue(distribution: Distribution): ParamValue {
  return distribution instanceof CategoricalDistribution
    ? distribution.choices[0]
    : distribution.low;
}

/** Rebuilds a distribution from its JSON (as stored, or as written in a study file's space). */
export function distributionFromJson(json: DistributionJson, name?: string): Distribution {
  switch (json.type) {
    case "float":
      return new FloatDistribution(json.low, json.high, { log: json.log, step: json.step, name });
    case "int":
      return new IntDistribution(json.low, json.high, { log: json.log, step: json.step, name });
    case "categorical":
      return new CategoricalDistribution(json.choices, { name });
    default: {
      const type = (json as { type: unknown }).type;
      throw new TypeError(
        `${subject("Distribution", name)} has type ${JSON.stringify(type)}; ` +
          `use "float", "int" or "categorical"`,
      );
    }
  }
}

function choiceEqual(a: ParamValue, b: ParamValue): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** How many whole steps fit in [low, high], tolerant of float noise such as 0.1 + 0.2. */
function gridSteps(low: number, high: number, step: number): number {
  return Math.floor((high - low) / step + 1e-8);
}

function isOnGrid(value: number, low: number, step: number): boolean {
  const k = (value - low) / step;
  return Math.abs(k - Math.round(k)) < 1e-8;
}
