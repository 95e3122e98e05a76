/**
 * Dotted-path parameters on run configs: how the tuner turns a trial's sampled values
 * (`{"optimizer.lr": 0.003, "model.layers.0.units": 256}`) into a run config.
 *
 * @module
 */

import type { RunConfig } from "../engine/spec.ts";
import { show } from "./fields.ts";
import type { Issue } from "./issues.ts";
import { parseRunConfig, type ParseRunConfigResult, type RunConfigInput } from "./schema.ts";

type Container = Record<string, unknown> | unknown[];

// Paths come from users; these keys would reach Object.prototype instead of the config.
const FORBIDDEN_KEYS = new Set(["__proto__", "prototype", "constructor"]);

function isContainer(value: unknown): value is Container {
  return typeof value === "object" && value !== null;
}

function isIndex(segment: string): boolean {
  return /^(0|[1-9]\d*)$/.test(segment);
}

function splitPath(dottedPath: string): string[] {
  const segments = dottedPath.split(".");
  if (segments.some((segment) => segment === "")) {
    throw new Error(
      `Path ${show(dottedPath)} must be dot-separated field names such as "optimizer.lr"`,
    );
  }
  const forbidden = segments.find((segment) => FORBIDDEN_KEYS.has(segment));
  if (forbidden) throw new Error(`Path ${show(dottedPath)} must not use "${forbidden}"`);
  return segments;
}

/** Checks that `segment` can be set on `container`; arrays only take an existing index. */
function checkSlot(container: Container, segment: string, dottedPath: string, where: string) {
  if (!Array.isArray(container)) return;
  if (!isIndex(segment) || Number(segment) >= container.length) {
    throw new Error(
      `Path ${show(dottedPath)} addresses item ${show(segment)} of "${where}", ` +
        (container.length ? `which has items 0 to ${container.length - 1}` : "which is empty"),
    );
  }
}

/**
 * Sets `value` at `dottedPath` inside `target` (mutating it), creating missing objects on the
 * way. Array items are addressed by index and must already exist; a path that runs through a
 * number, string or null is an error.
 */
export function setPath(target: Container, dottedPath: string, value: unknown): void {
  const segments = splitPath(dottedPath);
  let container = target;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i];
    const where = segments.slice(0, i + 1).join(".");
    checkSlot(container, segment, dottedPath, segments.slice(0, i).join(".") || "(root)");
    const record = container as Record<string, unknown>;
    if (record[segment] === undefined) {
      if (isIndex(segments[i + 1])) {
        throw new Error(
          `Path ${show(dottedPath)} indexes "${where}", which is not in the config`,
        );
      }
      record[segment] = {};
    }
    const next = record[segment];
    if (!isContainer(next)) {
      throw new Error(
        `Path ${show(dottedPath)} goes through "${where}", which is ${show(next)}, not an object`,
      );
    }
    container = next;
  }
  const last = segments[segments.length - 1];
  checkSlot(container, last, dottedPath, segments.slice(0, -1).join(".") || "(root)");
  (container as Record<string, unknown>)[last] = value;
}

/**
 * Makes room in `input` (a partial config) for `dottedPath`, following the full config
 * `defaults`: an array left to the defaults (such as `model.layers` in `{"epochs": 5}`) is
 * copied so that setting one layer keeps the others; an object left to the defaults starts
 * empty, so that switching `optimizer.type` does not inherit the old type's fields; a path
 * through a number or string is an error.
 */
function makeRoom(input: Container, defaults: RunConfig, dottedPath: string): void {
  const segments = splitPath(dottedPath);
  let raw: unknown = input;
  let full: unknown = defaults;
  for (let i = 0; i < segments.length - 1 && isContainer(raw); i++) {
    const segment = segments[i];
    const record = raw as Record<string, unknown>;
    const fullValue = isContainer(full) ? (full as Record<string, unknown>)[segment] : undefined;
    if (fullValue !== undefined && !isContainer(fullValue)) {
      const where = segments.slice(0, i + 1).join(".");
      throw new Error(
        `Path ${show(dottedPath)} goes through "${where}", which is ${
          show(fullValue)
        }, not an object`,
      );
    }
    // Items are never added to arrays: setPath reports an index past the end.
    if (record[segment] === undefined && !Array.isArray(raw)) {
      record[segment] = Array.isArray(fullValue) ? structuredClone(fullValue) : {};
    }
    raw = record[segment];
    full = fullValue;
  }
}

/** `applyParams` without throwing: a path that cannot be set is reported at that path. */
export function tryApplyParams(
  base: RunConfigInput,
  params: Record<string, unknown>,
): ParseRunConfigResult {
  const parsedBase = parseRunConfig(base);
  if (!parsedBase.ok) {
    const issues = parsedBase.issues.map((issue) => ({
      path: issue.path ? `base.${issue.path}` : "base",
      message: issue.message,
    }));
    return { ok: false, issues };
  }
  const input = structuredClone(base) as Container;
  const issues: Issue[] = [];
  for (const [path, value] of Object.entries(params)) {
    try {
      makeRoom(input, parsedBase.config, path);
      setPath(input, path, value);
    } catch (error) {
      issues.push({ path, message: (error as Error).message });
    }
  }
  return issues.length ? { ok: false, issues } : parseRunConfig(input);
}

/**
 * The run config of one trial: `base` (a partial run config) with each dotted path in `params`
 * set, then defaults applied. Throws when the result is not a valid run config.
 */
export function applyParams(base: RunConfigInput, params: Record<string, unknown>): RunConfig {
  const result = tryApplyParams(base, params);
  if (result.ok) return result.config;
  const details = result.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
  throw new Error(`Parameters ${show(params)} do not make a valid run config: ${details}`);
}
