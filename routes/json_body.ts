/**
 * Reads a JSON request body, turning every way it can be wrong into a 4xx in the API's
 * `{ error, issues }` shape:
 *
 * - a Content-Type other than `application/json` (or `+json`) is 415. Browsers send
 *   `text/plain` and form types cross-site without a CORS preflight, so accepting them would let
 *   any web page launch runs on a server bound to loopback;
 * - an empty body, malformed JSON, or a field named `__proto__` anywhere is 400. zod drops
 *   `__proto__` keys from records without a word, so a study would be saved without that part.
 *
 * A UTF-8 byte order mark is accepted (RFC 8259 §8.1 lets parsers ignore it; `Request.text()`
 * strips it). Size is limited before this runs, by `bodyLimit` in `app.ts`.
 *
 * @module
 */

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { formatPath } from "../config/issues.ts";

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

export async function readJsonBody(c: Context): Promise<unknown> {
  const type = c.req.header("Content-Type");
  if (!type || !JSON_TYPE.test(type)) {
    const got = type ? `"${type}"` : "none";
    throw failure(415, `Content-Type must be application/json, got ${got}`);
  }
  const text = await c.req.text();
  if (text.trim() === "") throw failure(400, "Request body is empty; send a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw failure(400, `Request body is not valid JSON: ${(error as Error).message}`);
  }
  const polluting = findProtoKey(value);
  if (polluting) {
    const message = `Field name "__proto__" is not allowed, found at "${formatPath(polluting)}"`;
    throw failure(400, message, formatPath(polluting));
  }
  return value;
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

/** A 4xx in the API's `{ error, issues }` shape, with the issue at `path` (the body's root). */
function failure(status: 400 | 415, message: string, path = ""): HTTPException {
  return new HTTPException(status, { message, cause: [{ path, message }] });
}
