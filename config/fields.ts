/**
 * Field builders shared by the run config and study schemas.
 *
 * Each builder gives one field a single message that names it, says what is allowed and
 * quotes the value it got, whatever went wrong (wrong type, out of range, not an integer),
 * while keeping zod's native checks so `z.toJSONSchema()` still shows the bounds.
 *
 * @module
 */

import { z } from "zod";

type RawIssue = z.core.$ZodRawIssue;

/** True when A and B are the same type; used to pin schema outputs to the engine's types. */
export type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2)
  ? true
  : false;

/** A value as an error message quotes it: strings in JSON quotes, numbers as JS prints them. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "function" || typeof value === "symbol") return `a ${typeof value}`;
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

export interface Range {
  min?: number;
  max?: number;
  /** The bound itself is not allowed, as in dropout's [0, 1). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
}

/** "in [0, 1)", "an integer in [1, 8192]", "greater than 0", "an integer of at least 1". */
export function describeRange(range: Range, gotFiniteNumber: boolean): string {
  const { min, max, integer } = range;
  const bounded = min !== undefined && max !== undefined;
  // "Dropout must be in [0, 1), got 1.5" but "Dropout must be a number in [0, 1), got "x"".
  let noun = "a finite number ";
  if (integer) noun = "an integer ";
  else if (gotFiniteNumber) noun = "";
  else if (bounded) noun = "a number ";
  if (bounded) {
    const open = range.minExclusive ? "(" : "[";
    const close = range.maxExclusive ? ")" : "]";
    return `${noun}in ${open}${min}, ${max}${close}`;
  }
  if (min !== undefined) {
    const relation = range.minExclusive ? "greater than" : integer ? "of at least" : "at least";
    return `${noun}${relation} ${min}`;
  }
  if (max !== undefined) return `${noun}${range.maxExclusive ? "less than" : "at most"} ${max}`;
  return integer ? "an integer" : "a finite number";
}

function rangeMessage(label: string, range: Range) {
  return (iss: RawIssue) => {
    if (iss.input === undefined) return `${label} is required: ${describeRange(range, false)}`;
    const isNumber = typeof iss.input === "number" && Number.isFinite(iss.input);
    return `${label} must be ${describeRange(range, isNumber)}, got ${show(iss.input)}`;
  };
}

/** A finite number (NaN and ±Infinity are refused) within `range`. */
export function boundedNumber(label: string, range: Range = {}) {
  const error = rangeMessage(label, range);
  let schema = range.integer ? z.int({ error }) : z.number({ error });
  if (range.min !== undefined) {
    schema = range.minExclusive
      ? schema.gt(range.min, { error })
      : schema.gte(range.min, { error });
  }
  if (range.max !== undefined) {
    schema = range.maxExclusive
      ? schema.lt(range.max, { error })
      : schema.lte(range.max, { error });
  }
  return schema;
}

/** One of a fixed list of strings; the message lists them all. */
export function oneOf<const T extends readonly [string, ...string[]]>(label: string, values: T) {
  const allowed = values.join(", ");
  return z.enum(values, {
    error: (iss) => `${label} must be one of ${allowed}, got ${show(iss.input)}`,
  });
}

export function flag(label: string) {
  return z.boolean({ error: (iss) => `${label} must be true or false, got ${show(iss.input)}` });
}

export function boundedString(label: string, minLength: number, maxLength: number) {
  const error = (iss: RawIssue) =>
    `${label} must be a string of ${minLength} to ${maxLength} characters, got ${show(iss.input)}`;
  return z.string({ error }).min(minLength, { error }).max(maxLength, { error });
}

/**
 * Characters a name may not hold: control characters (a NUL cut stored names short when read
 * back) and bidirectional controls, which make a name read other than it is stored.
 */
const HIDDEN_CHARACTER = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

const CHARACTER_NAMES: Record<string, string> = {
  "\u0000": "NUL",
  "\t": "TAB",
  "\n": "LINE FEED",
  "\r": "CARRIAGE RETURN",
  "\u061C": "ARABIC LETTER MARK",
  "\u200E": "LEFT-TO-RIGHT MARK",
  "\u200F": "RIGHT-TO-LEFT MARK",
  "\u202A": "LEFT-TO-RIGHT EMBEDDING",
  "\u202B": "RIGHT-TO-LEFT EMBEDDING",
  "\u202C": "POP DIRECTIONAL FORMATTING",
  "\u202D": "LEFT-TO-RIGHT OVERRIDE",
  "\u202E": "RIGHT-TO-LEFT OVERRIDE",
  "\u2066": "LEFT-TO-RIGHT ISOLATE",
  "\u2067": "RIGHT-TO-LEFT ISOLATE",
  "\u2068": "FIRST STRONG ISOLATE",
  "\u2069": "POP DIRECTIONAL ISOLATE",
};

/** "U+202E (RIGHT-TO-LEFT OVERRIDE)", "U+0007 (a control character)". */
function describeCharacter(character: string): string {
  const code = `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
  return `${code} (${CHARACTER_NAMES[character] ?? "a control character"})`;
}

/** A name people read: {@linkcode boundedString} without control or bidirectional characters. */
export function displayName(label: string, minLength: number, maxLength: number) {
  return boundedString(label, minLength, maxLength).superRefine((name, ctx) => {
    const found = HIDDEN_CHARACTER.exec(name);
    if (!found) return;
    ctx.addIssue({
      code: "custom",
      message: `${label} must not contain ${describeCharacter(found[0])}, found at character ` +
        `${[...name.slice(0, found.index)].length + 1}`,
      input: name,
    });
  });
}

/** The closest allowed field to a misspelt one: same letters ignoring case and `_`/`-`, or up to 2 edits away. */
export function closestField(key: string, allowed: readonly string[]): string | undefined {
  const loose = (s: string) => s.toLowerCase().replace(/[_-]/g, "");
  const limit = Math.min(2, Math.floor(key.length / 2));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of allowed) {
    const distance = editDistance(loose(key), loose(name));
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return bestDistance <= limit ? best : undefined;
}

/** Levenshtein distance, two-row dynamic programme. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

export function unknownFieldsMessage(
  keys: readonly string[],
  allowed: readonly string[],
  where: string,
): string {
  const allowedList = allowed.length ? allowed.join(", ") : "none";
  if (keys.length === 1) {
    const suggestion = closestField(keys[0], allowed);
    const hint = suggestion ? `; did you mean "${suggestion}"? Allowed` : "; allowed";
    return `Unknown field "${keys[0]}" in ${where}${hint}: ${allowedList}`;
  }
  const quoted = keys.map((key) => `"${key}"`).join(", ");
  return `Unknown fields ${quoted} in ${where}; allowed: ${allowedList}`;
}

/**
 * An object that refuses unknown fields. `where` names it in messages ("optimizer",
 * "layer"); `example` shows what a valid one looks like when something else was given.
 */
export function strictObject<const Shape extends z.core.$ZodLooseShape>(
  where: string,
  shape: Shape,
  example: string,
) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === "unrecognized_keys") {
        return unknownFieldsMessage(iss.keys, allowed, explicitType(where, iss.input));
      }
      const article = /^[aeiou]/.test(where) ? "An" : "A";
      return `${article} ${where} must be an object such as ${example}, got ${show(iss.input)}`;
    },
  });
}

const DEFAULT_TYPE = " (the default type)";

/**
 * `where` without its " (the default type)" note when the object names its type: the note
 * explains a variant taken for an object without `type`, and misleads when `type` was chosen.
 */
function explicitType(where: string, input: unknown): string {
  const typed = typeof input === "object" && input !== null &&
    (input as { type?: unknown }).type !== undefined;
  return typed && where.endsWith(DEFAULT_TYPE) ? where.slice(0, -DEFAULT_TYPE.length) : where;
}

/**
 * The message for a union tagged by `type` (optimizer, sampler, pruner, search parameter):
 * an unknown type lists the known ones; anything but an object shows an example.
 */
export function taggedUnionError(label: string, types: readonly string[], example: string) {
  return (iss: RawIssue) => {
    if (iss.code === "invalid_union") {
      const type = (iss.input as { type?: unknown }).type;
      return `${label} type must be one of ${types.join(", ")}, got ${show(type)}`;
    }
    return `${label} must be an object such as ${example}, got ${show(iss.input)}`;
  };
}
