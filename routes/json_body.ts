/**
 * Reads a JSON request body, turning malformed JSON into a 400 that says where it broke.
 *
 * @module
 */

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") throw invalid("Request body is empty; send a JSON object");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(`Request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** A 400 in the API's `{ error, issues }` shape, with the issue at the body's root. */
function invalid(message: string): HTTPException {
  return new HTTPException(400, { message, cause: [{ path: "", message }] });
}
