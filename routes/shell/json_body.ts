/**
 * Reads a JSON request body, turning every way it can be wrong into a 4xx in the API's
 * `{ error, issues }` shape:
 *
 * - a Content-Type other than `application/json` (or `+json`) is 415. Browsers send
 *   `text/plain` and form types cross-site without a CORS preflight, so accepting them would let
 *   any web page launch runs on a server bound to loopback;
 * - an empty body, malformed JSON, a field named `__proto__` anywhere, or a field given twice in
 *   one object is 400. zod drops `__proto__` keys from records without a word, so a study would
 *   be saved without that part; `JSON.parse` keeps the last of two keys without a word.
 *
 * A UTF-8 byte order mark is accepted (RFC 8259 §8.1 lets parsers ignore it; `Request.text()`
 * strips it). Size is limited before this runs, by `bodyLimit` in `app.ts`.
 *
 * @module
 */

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { duplicateKeyIssue } from "../../config/duplicate_keys.ts";
import { protoKeyIssue } from "../../config/proto_key.ts";

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
  const polluting = protoKeyIssue(value) ?? duplicateKeyIssue(text);
  if (polluting) throw failure(400, polluting.message, polluting.path);
  return value;
}

/** A 4xx in the API's `{ error, issues }` shape, with the issue at `path` (the body's root). */
function failure(status: 400 | 415, message: string, path = ""): HTTPException {
  return new HTTPException(status, { message, cause: [{ path, message }] });
}

/**
 * {@linkcode readJsonBody} for a body that may be left out: a request with neither a
 * Content-Type nor any bytes reads as `{}` (every option at its default).
 */
export async function readOptionalJsonBody(c: Context): Promise<unknown> {
  if (c.req.header("Content-Type") === undefined && (await c.req.text()) === "") return {};
  return await readJsonBody(c);
}
