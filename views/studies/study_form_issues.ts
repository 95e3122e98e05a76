/**
 * The study form's problems: the ones only the form can have, and where each issue of the study
 * file is shown — the field that draws its path (`space.optimizer.type.when.sgd.optimizer.momentum`
 * is row 0 of the "When sgd" rows) — and what the problem list calls it.
 *
 * @module
 */

import type { Issue } from "../../config/issues.ts";
import { fieldLabel } from "../run_editor/field_labels.ts";
import { type FormValues, isChecked } from "../run_editor/run_form_state.ts";
import { DISTRIBUTION_FIELDS, rowCount, rowPrefix } from "./space_fields.ts";
import {
  BASE_FIELD,
  DEPTH_ENTRY,
  DEPTH_SEARCH,
  EXTRA_ROWS,
  searchedInPlace,
  SPACE_FIELD,
  SPACE_PREFIX,
  STUDY_PREFIX,
} from "./study_form_state.ts";

/** Problems only the form can have: two rows of one list searching one path. */
export function formIssues(values: FormValues): Issue[] {
  const issues: Issue[] = [];
  const lists = new Set(
    Object.keys(values)
      .filter((name) => /\.\d+\.path$/.test(name))
      .map((name) => name.replace(/\.\d+\.path$/, "")),
  );
  for (const rows of lists) {
    const seen = new Map<string, number>();
    for (let i = 0; i < rowCount(values, rows); i++) {
      const path = values[`${rowPrefix(rows, i)}.path`]?.trim();
      if (path === undefined) continue;
      const first = seen.get(path);
      if (first === undefined) seen.set(path, i);
      else {
        issues.push({
          path: rowPrefix(rows, i),
          message: `Parameter "${path}" is already searched in row ${first + 1}; ` +
            `search each path once`,
        });
      }
    }
  }
  return issues;
}

/** Each entry of the file's space: where its issues point, and the form prefix that draws it. */
function entryPrefixes(values: FormValues): Array<{ issue: string; field: string }> {
  const found: Array<{ issue: string; field: string }> = [];
  const addRows = (issueAt: string, rows: string) => {
    for (let i = 0; i < rowCount(values, rows); i++) {
      const row = rowPrefix(rows, i);
      const path = values[`${row}.path`]?.trim();
      if (path !== undefined) addEntry(`${issueAt}.${path}`, row);
    }
  };
  const addEntry = (issueAt: string, field: string) => {
    found.push({ issue: issueAt, field });
    for (const name of Object.keys(values)) {
      const match = new RegExp(`^${escape(field)}\\.when\\.(.+)\\.\\d+\\.path$`).exec(name);
      if (match && !match[1].includes(".when.")) {
        const rows = `${field}.when.${match[1]}`;
        if (!found.some((known) => known.field === rows)) {
          found.push({ issue: `${issueAt}.when.${match[1]}`, field: rows });
          addRows(`${issueAt}.when.${match[1]}`, rows);
        }
      }
    }
  };
  if (isChecked(values, DEPTH_SEARCH)) found.push({ issue: DEPTH_ENTRY, field: DEPTH_ENTRY });
  for (const path of searchedInPlace(values)) addEntry(`space.${path}`, `${SPACE_PREFIX}${path}`);
  addRows(SPACE_FIELD, EXTRA_ROWS);
  return found;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const STUDY_FIELDS =
  /^(name|direction|metric|trials|sampler|pruner|metrics|directions|constraints)(\.|$)/;
const BASE_GROUPS = [
  "data.split",
  "data.normalize",
  "optimizer.betas",
  "optimizer",
  "model.layers",
];

/** The form field that shows an issue of `parseStudySpec` (or of the dataset checks). */
export function fieldForIssue(path: string, values: FormValues): string {
  if (STUDY_FIELDS.test(path)) return `${STUDY_PREFIX}${path}`;
  if (path === BASE_FIELD || path.startsWith(`${BASE_FIELD}.`)) {
    const inner = path.slice(BASE_FIELD.length + 1);
    const segments = inner.split(".");
    for (let end = segments.length; end > 0; end--) {
      const candidate = segments.slice(0, end).join(".");
      if (candidate in values || BASE_GROUPS.includes(candidate)) return candidate;
    }
    return BASE_FIELD;
  }
  if (path === SPACE_FIELD || path.startsWith(`${SPACE_FIELD}.`)) {
    let best: { issue: string; field: string } | undefined;
    for (const entry of entryPrefixes(values)) {
      const inside = path === entry.issue || path.startsWith(`${entry.issue}.`);
      if (inside && (!best || entry.issue.length > best.issue.length)) best = entry;
    }
    if (!best) return SPACE_FIELD;
    const rest = path.slice(best.issue.length + 1);
    if ((DISTRIBUTION_FIELDS as readonly string[]).includes(rest)) return `${best.field}.${rest}`;
    // The depth entry's fields are named as the file's paths: low, high, layer.<field>[.<prop>].
    if (best.field === DEPTH_ENTRY && rest) return `${DEPTH_ENTRY}.${rest}`;
    return best.field;
  }
  return path;
}

/** What the problem list calls the field of an issue at `path` (the file's path). */
export function issueLabel(path: string): string {
  if (STUDY_FIELDS.test(path)) return path === "name" ? "Study name" : `Study ${path}`;
  if (path === BASE_FIELD) return "Base run";
  if (path.startsWith(`${BASE_FIELD}.`)) return fieldLabel(path.slice(BASE_FIELD.length + 1));
  if (path.startsWith(`${SPACE_FIELD}.`)) return spaceLabel(path.slice(SPACE_FIELD.length + 1));
  return path || "Study";
}

/** "Learning rate (searched) low", "Every layer's dropout (searched)"; a sub-space's by path. */
function spaceLabel(rest: string): string {
  const segments = rest.split(".");
  const last = segments[segments.length - 1];
  const prop = (DISTRIBUTION_FIELDS as readonly string[]).includes(last) ? last : undefined;
  const entry = prop ? segments.slice(0, -1).join(".") : rest;
  if (entry.includes(".when.")) return `Search ${rest}`;
  const template = /^model\.layers\.layer\.(\w+)$/.exec(entry);
  const label = template ? `Every layer's ${template[1]}` : fieldLabel(entry);
  return `${label} (searched)${prop ? ` ${prop}` : ""}`;
}
