/**
 * Refuses state-changing requests that a browser says come from another site (cross-site request
 * forgery). A server bound to loopback has no token, so without this any page open in the
 * user's browser could post the new-run form or a cancel to `http://127.0.0.1:8000`.
 *
 * Browsers label every request: `Sec-Fetch-Site` (https://w3c.github.io/webappsec-fetch-metadata/)
 * and, on unsafe methods, `Origin`. Scripts and the CLI send neither and pass. Hono's own `csrf()`
 * refuses requests that carry neither header when their body is a form or text, which would
 * refuse `curl -X POST …/cancel`.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function sameOriginOnly(): MiddlewareHandler {
  return async function sameOrigin(c, next) {
    if (SAFE_METHODS.has(c.req.method)) return await next();
    const site = c.req.header("Sec-Fetch-Site");
    const origin = c.req.header("Origin");
    // "none": typed in the address bar or opened from a bookmark, which a page cannot forge.
    const crossSite = site !== undefined
      ? site !== "same-origin" && site !== "none"
      : origin !== undefined && !sameHost(origin, c.req.header("Host"));
    if (crossSite) {
      throw new HTTPException(403, {
        message: `Refusing a ${c.req.method} from another site (Origin ${
          JSON.stringify(origin ?? null)
        }, Sec-Fetch-Site ${JSON.stringify(site ?? null)}): open ajuste's own pages to do this`,
      });
    }
    return await next();
  };
}

/** True when `origin` (scheme://host:port) names the host the request was sent to. */
function sameHost(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === new URL(`http://${host}`).host;
  } catch {
    return false; // "null" (sandboxed frames, file: pages) or garbage
  }
}

/**
 * On a server bound to loopback without a token, refuses requests whose `Host` is not a loopback
 * name: a page on evil.example whose DNS name is re-pointed at 127.0.0.1 (DNS rebinding) would
 * otherwise be same-origin with the server and pass the check above.
 */
export function loopbackHostOnly(): MiddlewareHandler {
  return async function loopbackHost(c, next) {
    const host = c.req.header("Host");
    if (host !== undefined && !isLoopbackName(host)) {
      throw new HTTPException(403, {
        message: `Refusing a request for host ${
          JSON.stringify(host)
        }: this server listens on loopback only; open it as http://127.0.0.1 or http://localhost`,
      });
    }
    return await next();
  };
}

function isLoopbackName(host: string): boolean {
  let name: string;
  try {
    name = new URL(`http://${host}`).hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  } catch {
    return false;
  }
  return name === "localhost" || name === "::1" || /^127(\.\d{1,3}){3}$/.test(name);
}
