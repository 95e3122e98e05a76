/**
 * Finds `__proto__` keys in parsed JSON. `JSON.parse` keeps them as own fields, and zod drops
 * them from records without a word, so a config or study would be saved without that part; every
 * reader (API, CLI, form) refuses them instead, naming where they are.
 *
 * @module
 */

import { formatPath, type Issue } from "./issues.ts";

/** The issue for the first own `__proto__` key in `value`, or undefined when it has none. */
export function protoKeyIssue(value: unknown, prefix = ""): Issue | undefined {
  const found = findProtoKey(value);
  if (!found) return undefined;
  const path = [prefix, formatPath(found)].filter(Boolean).join(".");
  return { path, message: `Field name "__proto__" is not allowed, found at "${path}"` };
}

/**
 * The path of the first own `__proto__` key in a parsed JSON value, or undefined. Walks with an
 * explicit stack: the body may nest as deep as 1 MB of brackets allows, past any call stack.
 */
export function findProtoKey(root: unknown): PropertyKey[] | undefined {
  // Each entry links to its parent, so a deep body costs memory in its size, not depth².
  type Entry = { value: unknown; key: PropertyKey; parent: Entry | null };
  const stack: Entry[] = [{ value: root, key: "", parent: null }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const { value } = entry;
    if (typeof value !== "object" || value === null) continue;
    const keys = Array.isArray(value) ? value.keys() : Object.keys(value);
    for (const key of keys) {
      const child = { value: (value as Record<PropertyKey, unknown>)[key], key, parent: entry };
      if (key === "__proto__") return pathOf(child);
      stack.push(child);
    }
  }
  return undefined;
}

function pathOf(entry: { key: PropertyKey; parent: typeof entry | null }): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let at: typeof entry | null = entry; at?.parent; at = at.parent) path.unshift(at.key);
  return path;
}
