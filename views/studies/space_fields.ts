/**
 * A search space as form fields, both ways. An entry at field prefix `E` keeps its distribution
 * in `E.type`, `E.low`, `E.high`, `E.log`, `E.step`, `E.choices`; a categorical's sub-space for
 * a choice is a list of rows at `E.when.<choice>`, row `i` at `E.when.<choice>.<i>` with its
 * path in `.path` and, being an entry itself, its own sub-spaces below. The study form puts a
 * field searched in place at `space.<path>` and the parameters it does not draw in place in
 * rows at `extra`.
 *
 * @module
 */

import { choiceKey, MAX_SPACE_DEPTH } from "../../config/space_schema.ts";
import type { SpaceEntry, SpaceSpec } from "../../config/space_schema.ts";
import {
  defined,
  type FormValues,
  isChecked,
  numberOrText,
  optionalNumber,
} from "../run_editor/run_form_state.ts";

const CHECKED = "on";
/** The fields of one distribution. */
export const DISTRIBUTION_FIELDS = ["type", "low", "high", "log", "step", "choices"] as const;
/** Rows one list holds at most: a posted `extra.99999999.path` cannot build more. */
export const MAX_ROWS = 24;

/** A row's field prefix. */
export const rowPrefix = (rows: string, index: number) => `${rows}.${index}`;
/** Where the sub-space of `choice` keeps its rows. */
export const whenRows = (entry: string, choice: unknown) =>
  `${entry}.when.${choiceKey(choice as string)}`;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** How many rows the list at `rows` holds (one over {@linkcode MAX_ROWS} at most). */
export function rowCount(values: FormValues, rows: string): number {
  const pattern = new RegExp(`^${escape(rows)}\\.(\\d+)\\.path$`);
  let count = 0;
  for (const name of Object.keys(values)) {
    const match = pattern.exec(name);
    if (match) count = Math.max(count, Number(match[1]) + 1);
  }
  return Math.min(count, MAX_ROWS + 1);
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A choice as the choices field writes it: strings that would read as something else quoted. */
function choiceText(choice: unknown): string {
  if (typeof choice !== "string") return String(choice);
  const plain = choice === choice.trim() && choice !== "" && !/[,"]/.test(choice) &&
    !NUMBER.test(choice) && !["true", "false", "null"].includes(choice);
  return plain ? choice : JSON.stringify(choice);
}

export function formatChoices(choices: readonly unknown[]): string {
  return choices.map(choiceText).join(", ");
}

/** "sgd, 0.5, true, \"1\"" → ["sgd", 0.5, true, "1"]: JSON's numbers, booleans, null, strings. */
export function parseChoices(text: string): unknown[] {
  const parts = text.match(/"(?:[^"\\]|\\.)*"|[^,]+/g) ?? [];
  return parts.map((part) => part.trim()).filter(Boolean).map((part) => {
    if (part.startsWith('"')) {
      try {
        return JSON.parse(part);
      } catch {
        return part;
      }
    }
    if (part === "true") return true;
    if (part === "false") return false;
    if (part === "null") return null;
    return numberOrText(part);
  });
}

/** The entry the fields at `prefix` describe, sub-spaces included, as the schema will read it. */
export function readEntry(values: FormValues, prefix: string, depth = 1): Record<string, unknown> {
  const type = values[`${prefix}.type`];
  if (type === "categorical") {
    const choices = parseChoices(values[`${prefix}.choices`] ?? "");
    const when: Record<string, unknown> = {};
    if (depth < MAX_SPACE_DEPTH + 1) {
      for (const choice of choices) {
        const rows = readRows(values, whenRows(prefix, choice), depth + 1);
        if (Object.keys(rows).length > 0) when[choiceKey(choice as string)] = rows;
      }
    }
    return defined({ type, choices, when: Object.keys(when).length > 0 ? when : undefined });
  }
  if (type !== "float" && type !== "int") return { type };
  return defined({
    type,
    low: numberOrText(values[`${prefix}.low`] ?? ""),
    high: numberOrText(values[`${prefix}.high`] ?? ""),
    log: isChecked(values, `${prefix}.log`) ? true : undefined,
    step: optionalNumber(values[`${prefix}.step`]),
  });
}

/** The rows at `rows` as a space: path → entry. Keys are defined, so "__proto__" stays a key. */
export function readRows(values: FormValues, rows: string, depth = 1): Record<string, unknown> {
  const entries: [string, unknown][] = [];
  for (let i = 0; i < rowCount(values, rows); i++) {
    const row = rowPrefix(rows, i);
    const path = values[`${row}.path`];
    if (path === undefined) continue;
    entries.push([path.trim(), readEntry(values, row, depth)]);
  }
  return Object.fromEntries(entries);
}

/** Writes `entry` (no depth entry: that is drawn by the layer editor) into `values` at `prefix`. */
export function writeEntry(values: FormValues, prefix: string, entry: SpaceEntry): void {
  if (entry.type === "layers") return;
  values[`${prefix}.type`] = entry.type;
  if (entry.type === "categorical") {
    values[`${prefix}.choices`] = formatChoices(entry.choices);
    for (const [key, sub] of Object.entries(entry.when ?? {})) {
      writeRows(values, `${prefix}.when.${key}`, sub);
    }
    return;
  }
  values[`${prefix}.low`] = String(entry.low);
  values[`${prefix}.high`] = String(entry.high);
  if (entry.log) values[`${prefix}.log`] = CHECKED;
  values[`${prefix}.step`] = entry.step === undefined ? "" : String(entry.step);
}

export function writeRows(values: FormValues, rows: string, space: SpaceSpec): void {
  Object.entries(space).forEach(([path, entry], i) => {
    const row = rowPrefix(rows, i);
    values[`${row}.path`] = path;
    values[`${row}.shown`] = path;
    writeEntry(values, row, entry);
  });
}

/** `values` without the fields of the entry or rows at `prefix` (and what they hold). */
export function withoutFields(values: FormValues, prefix: string): FormValues {
  return Object.fromEntries(
    Object.entries(values).filter(([name]) => name !== prefix && !name.startsWith(`${prefix}.`)),
  );
}

/** The rows at `rows` renumbered 0..n-1 after one was removed (sub-spaces move with them). */
export function removeRow(values: FormValues, rows: string, index: number): FormValues {
  const count = rowCount(values, rows);
  const kept = withoutFields(values, rows);
  let next = 0;
  for (let i = 0; i < count; i++) {
    if (i === index) continue;
    const from = `${rowPrefix(rows, i)}.`;
    const to = `${rowPrefix(rows, next)}.`;
    for (const [name, value] of Object.entries(values)) {
      if (name.startsWith(from)) kept[to + name.slice(from.length)] = value;
    }
    next++;
  }
  return kept;
}
