/**
 * Reading a posted form: values stay strings until the zod schema judges them.
 *
 * @module
 */

/** Field name → value, as a browser posts a form (an unchecked checkbox is absent). */
export type FormValues = Record<string, string>;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A number when the text is one; otherwise the text itself, for the schema to report. */
export function numberOrText(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  return NUMBER.test(trimmed) ? Number(trimmed) : trimmed;
}

/** Like {@linkcode numberOrText}, but an empty field means "not given". */
export function optionalNumber(text: string | undefined): number | string | undefined {
  return text === undefined || text.trim() === "" ? undefined : numberOrText(text);
}

/** A checkbox posts its value when checked and nothing when not. */
export function isChecked(values: FormValues, name: string): boolean {
  return values[name] !== undefined && values[name] !== "" && values[name] !== "false";
}
