/**
 * Reads an HTML form post (`application/x-www-form-urlencoded` or `multipart/form-data`) as
 * field name → text. Any other Content-Type is 415, and a body that cannot be parsed (a
 * multipart body without its boundary) is 400, rather than the 500 the parser's TypeError
 * would become. File fields are dropped: no form here has one.
 *
 * @module
 */

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

const FORM_TYPE = /^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

export async function readFormFields(c: Context): Promise<Record<string, string>> {
  const type = c.req.header("Content-Type");
  if (!type || !FORM_TYPE.test(type)) {
    throw new HTTPException(415, {
      message: `Content-Type must be application/x-www-form-urlencoded or multipart/form-data, ` +
        `got ${type ? `"${type}"` : "none"}`,
    });
  }
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody();
  } catch (error) {
    throw new HTTPException(400, {
      message: `Form body could not be read: ${(error as Error).message}`,
    });
  }
  // A null prototype: a field named "__proto__" stays a field.
  const fields: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === "string") fields[name] = value;
  }
  return fields;
}
