/**
 * The pieces the PyTorch and Optuna scripts are made of: Python files in `export/python/`, each
 * valid Python on its own, whose optional parts sit between marker comments
 *
 *     # when: scheduler            (kept when the `scheduler` feature is on)
 *     # when: adam, adamw          (kept when either is on)
 *     # when: not penalty          (kept when `penalty` is off)
 *     # end when
 *
 * so a script holds only the code its configuration uses; and run config values as Python
 * literals.
 *
 * @module
 */

const WHEN = /^\s*# when: (.+)$/;
const END = /^\s*# end when$/;

/** The text of `export/python/<name>.py`. */
export function pythonSection(name: string): string {
  return Deno.readTextFileSync(new URL(`./python/${name}.py`, import.meta.url));
}

/** Whether a marker's condition (`a, not b`) holds: any of its terms. */
function holds(condition: string, features: ReadonlySet<string>): boolean {
  return condition.split(",").some((term) => {
    const [negated, name] = term.trim().startsWith("not ")
      ? [true, term.trim().slice(4).trim()]
      : [false, term.trim()];
    return features.has(name) !== negated;
  });
}

/** `source` with the blocks whose features are off taken out, and every marker line. */
export function keepFeatures(
  source: string,
  features: ReadonlySet<string>,
  name = "source",
): string {
  const kept: string[] = [];
  const open: boolean[] = [];
  source.split("\n").forEach((line, index) => {
    const when = WHEN.exec(line);
    if (when) {
      open.push(holds(when[1], features));
    } else if (END.test(line)) {
      if (open.pop() === undefined) {
        throw new Error(`Python section ${name} line ${index + 1} ends a block none opened`);
      }
    } else if (open.every(Boolean)) {
      kept.push(line);
    }
  });
  if (open.length > 0) throw new Error(`Python section ${name} leaves a "# when:" block open`);
  return kept.join("\n").trim();
}

/**
 * A JSON value as a Python literal (True, False, None), one line where it fits in `width` after
 * `lead` characters, else one item per line indented from `indent`.
 */
export function pythonLiteral(value: unknown, indent = 0, width = 100, lead = indent): string {
  const flat = flatLiteral(value);
  // The comma that may follow counts too.
  if (lead + flat.length < width || typeof value !== "object" || value === null) return flat;
  const inner = " ".repeat(indent + 4);
  const entries = Array.isArray(value)
    ? value.map((item) => inner + pythonLiteral(item, indent + 4, width))
    : Object.entries(value).filter(([, item]) => item !== undefined).map(([key, item]) => {
      const head = `${inner}${JSON.stringify(key)}: `;
      return head + pythonLiteral(item, indent + 4, width, head.length);
    });
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return `${open}\n${entries.join(",\n")},\n${" ".repeat(indent)}${close}`;
}

function flatLiteral(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      return value > 0 ? "math.inf" : value < 0 ? "-math.inf" : "math.nan";
    }
    return JSON.stringify(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(flatLiteral).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .map(([key, item]) => `${JSON.stringify(key)}: ${flatLiteral(item)}`);
  return `{${entries.join(", ")}}`;
}
