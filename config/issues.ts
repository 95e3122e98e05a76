/**
 * Validation failures as the API, CLI and UI show them: a dotted path and a message.
 *
 * @module
 */

import type { z } from "zod";

/** One thing wrong with an input; `path` is dotted (`model.layers.1.dropout`), "" for the whole input. */
export interface Issue {
  path: string;
  message: string;
}

/** The body of every 400 response. */
export interface BadRequestBody {
  error: string;
  issues: Issue[];
}

export function badRequestBody(issues: Issue[], error = "Invalid run config"): BadRequestBody {
  return { error, issues };
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}

/**
 * Where an issue points. An unknown field points at itself rather than at the object holding
 * it, so a form can mark the offending key.
 */
export function issuePath(issue: z.core.$ZodIssue): PropertyKey[] {
  if (issue.code === "unrecognized_keys" && issue.keys.length === 1) {
    return [...issue.path, issue.keys[0]];
  }
  return [...issue.path];
}

/** zod's issues as `Issue`s under `prefix`, without repeats (a field failing two checks says so once). */
export function toIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): Issue[] {
  const seen = new Set<string>();
  const issues: Issue[] = [];
  for (const issue of error.issues) {
    const path = formatPath([...prefix, ...issuePath(issue)]);
    const key = `${path}\n${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path, message: issue.message });
  }
  return issues;
}
