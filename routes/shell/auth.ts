/**
 * The shared-secret gate used when `AJUSTE_TOKEN` is set (required to listen beyond loopback).
 * Scripts send `Authorization: Bearer <token>`; a browser opens `/?token=<token>` once, keeps
 * it in an HttpOnly cookie and is sent on to the same page without it. Only that page view
 * takes the token from the address: anywhere else a token in a URL would end up in logs and
 * histories, so the API refuses it there. `/api/health` and `/static/*` stay open (health
 * checks, the page's own styles).
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import { timingSafeEqual } from "hono/utils/buffer";

export const TOKEN_COOKIE = "ajuste_token";

export function requireToken(token: string): MiddlewareHandler {
  const matches = (candidate: string | undefined) =>
    candidate ? timingSafeEqual(candidate, token) : Promise.resolve(false);

  return async function tokenGate(c, next) {
    const bearer = c.req.header("Authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (await matches(bearer) || await matches(getCookie(c, TOKEN_COOKIE))) return await next();
    const queryToken = c.req.query("token");
    const page = c.req.method === "GET" && /text\/html/.test(c.req.header("Accept") ?? "") &&
      !c.req.path.startsWith("/api/");
    if (queryToken !== undefined && !page) {
      throw new HTTPException(401, {
        message: "A token in the address is only for opening the dashboard in a browser; send " +
          '"Authorization: Bearer <AJUSTE_TOKEN>" instead',
      });
    }
    if (await matches(queryToken)) {
      setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/" });
      // The page view is sent to the same page without the token, out of the address bar and
      // the history.
      const url = new URL(c.req.url);
      url.searchParams.delete("token");
      // One leading slash: "//host/…" would be another site's address.
      return c.redirect(`/${url.pathname.replace(/^\/+/, "")}${url.search}`, 303);
    }
    throw new HTTPException(401, {
      message: 'Missing or wrong token: send "Authorization: Bearer <AJUSTE_TOKEN>" ' +
        "or open /?token=<AJUSTE_TOKEN> once in the browser",
    });
  };
}
