/**
 * Finds a key written twice in one JSON object. `JSON.parse` keeps the last silently, so
 * `{"epochs": 5, "epochs": 5000}` would train 5000 epochs while the sender read 5; every reader
 * (API, CLI) refuses such a document instead, naming the key and where it is.
 *
 * A scan over the text, not a parse tree: it holds one frame per open bracket on an explicit
 * stack, so a body nested as deep as 1 MB of brackets allows costs memory, not the call stack
 * (why not a JSON AST library such as momoa, whose parser recurses). It runs after `JSON.parse`
 * accepted the text, so the text is well-formed JSON.
 *
 * @module
 */

import { formatPath, type Issue } from "./issues.ts";

/** Path segments an issue names at most. */
const MAX_SHOWN = 16;

interface Frame {
  /** Keys seen so far (objects), or null (arrays). */
  keys: Set<string> | null;
  /** The key or index of this container in its parent. */
  at: PropertyKey;
  /** Next array index. */
  index: number;
}

/** The issue for the first key repeated within one object of `text`, or undefined. */
export function duplicateKeyIssue(text: string, prefix = ""): Issue | undefined {
  const stack: Frame[] = [];
  let pendingKey: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      const top = stack.at(-1);
      // A string right after `{` or `,` in an object is a key (the scan sees `:` next).
      if (top?.keys && pendingKey === null && nextNonSpace(text, end + 1) === ":") {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) {
          const path = [...stack.slice(1).map((frame) => frame.at), key];
          // A hostile body may nest thousands deep: name the innermost levels only.
          const shown = path.length > MAX_SHOWN
            ? formatPath(path.slice(-MAX_SHOWN))
            : formatPath(path);
          const where = [prefix, path.length > MAX_SHOWN ? `…${shown}` : shown]
            .filter(Boolean).join(".");
          return {
            path: where,
            message: `Field "${key}" is given twice in one object, at "${where}"; give it once`,
          };
        }
        top.keys.add(key);
        pendingKey = key;
      }
      i = end;
    } else if (c === "{" || c === "[") {
      const parent = stack.at(-1);
      const at = parent?.keys ? pendingKey ?? "" : parent ? parent.index : "";
      stack.push({ keys: c === "{" ? new Set() : null, at, index: 0 });
      pendingKey = null;
    } else if (c === "}" || c === "]") {
      stack.pop();
    } else if (c === ",") {
      const top = stack.at(-1);
      if (top && !top.keys) top.index++;
      pendingKey = null;
    }
  }
  return undefined;
}

/** The index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}

function nextNonSpace(text: string, from: number): string | undefined {
  for (let i = from; i < text.length; i++) {
    if (!/\s/.test(text[i])) return text[i];
  }
  return undefined;
}
