/**
 * Which settings differ between runs: configs flattened to dotted paths (the same paths the
 * tuner's search spaces use), keeping only the paths whose values are not all equal.
 *
 * @module
 */

/** `{a: {b: 1}, c: [{d: 2}]}` → `{"a.b": 1, "c.0.d": 2}`; an empty array or object is one leaf. */
export function flatten(value: unknown, prefix = "", out: Record<string, unknown> = {}) {
  const isBranch = value !== null && typeof value === "object" &&
    Object.keys(value as object).length > 0;
  if (!isBranch) {
    if (prefix) out[prefix] = value;
    return out;
  }
  // The pair [β1, β2] reads best as one value.
  if (Array.isArray(value) && value.every((item) => typeof item === "number")) {
    out[prefix] = value;
    return out;
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    flatten(child, prefix ? `${prefix}.${key}` : key, out);
  }
  return out;
}

export interface ConfigDifference {
  path: string;
  /** One value per config, in order; undefined where a config lacks the path. */
  values: unknown[];
}

/** The paths whose values differ across `configs`, in the order they first appear. */
export function configDifferences(configs: unknown[]): ConfigDifference[] {
  const flat = configs.map((config) => flatten(config));
  const paths = [...new Set(flat.flatMap((entries) => Object.keys(entries)))];
  return paths
    .map((path) => ({ path, values: flat.map((entries) => entries[path]) }))
    .filter(({ values }) => {
      const shown = values.map((value) => JSON.stringify(value));
      return shown.some((text) => text !== shown[0]);
    });
}
