/**
 * The page shell: stylesheet, htmx and its SSE extension, the site header.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import { raw } from "hono/html";

export const PITCH =
  "Train and tune multilayer perceptrons on the GPU, from the browser, a script or the terminal.";

export function Layout(props: { title?: string; children: Child }) {
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{props.title ? `${props.title} · ajuste` : "ajuste"}</title>
          <link rel="icon" href="data:," />
          <link rel="stylesheet" href="/static/style.css" />
          <script src="/static/htmx.min.js" defer></script>
          <script src="/static/ext/hx-sse.js" defer></script>
        </head>
        <body>
          <header class="site">
            <h1>
              <a href="/">ajuste</a>
            </h1>
            <p class="pitch">{PITCH}</p>
          </header>
          <main>{props.children}</main>
        </body>
      </html>
    </>
  );
}
