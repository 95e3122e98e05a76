/**
 * The page shell: stylesheet, htmx and its SSE extension, the site header with its navigation.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import { raw } from "hono/html";

export const PITCH =
  "Train and tune multilayer perceptrons on the GPU, from the browser, a script or the terminal.";

const NAV = [
  { href: "/", label: "Home" },
  { href: "/runs/new", label: "New run" },
  { href: "/runs", label: "Runs" },
  { href: "/studies", label: "Studies" },
  { href: "/lessons", label: "Lessons" },
];

/**
 * Marks the page as scripted (CSS shows script-only controls) and wires `data-copy` buttons,
 * which copy the text of the element their value selects. Static text: no user data inside.
 */
const PAGE_SCRIPT = `document.documentElement.classList.add("js");
document.addEventListener("click", async (event) => {
  const button = event.target.closest?.("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  try {
    await navigator.clipboard.writeText(source.textContent);
  } catch {
    const range = document.createRange();
    range.selectNodeContents(source);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    document.execCommand("copy");
  }
  const label = button.textContent;
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = label; }, 1500);
});`;

export interface LayoutProps {
  title?: string;
  children: Child;
  /** The nav link of this page. */
  current?: string;
  /** Without JavaScript (no live stream), reload every this many seconds. */
  reloadWithoutScript?: number;
}

export function Layout(props: LayoutProps) {
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
          <link rel="stylesheet" href="/static/form.css" />
          <link rel="stylesheet" href="/static/runs.css" />
          <link rel="stylesheet" href="/static/studies.css" />
          <link rel="stylesheet" href="/static/network.css" />
          <link rel="stylesheet" href="/static/lessons.css" />
          <link rel="stylesheet" href="/static/charts.css" />
          <script src="/static/charts.js" type="module"></script>
          <script>{raw(PAGE_SCRIPT)}</script>
          {props.reloadWithoutScript && (
            <noscript>
              <meta http-equiv="refresh" content={String(props.reloadWithoutScript)} />
            </noscript>
          )}
        </head>
        <body>
          <header class="site">
            <div class="brand">
              <h1>
                <a href="/">ajuste</a>
              </h1>
              <p class="pitch">{PITCH}</p>
            </div>
            <nav aria-label="Main">
              <ul>
                {NAV.map((item) => (
                  <li>
                    <a
                      href={item.href}
                      aria-current={item.href === props.current ? "page" : undefined}
                    >
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          </header>
          <main>{props.children}</main>
          {
            /* Not deferred: htmx run after parsing (defer) starts on a timer, which could fire
            while its SSE extension was still downloading (a first, cold page on a loaded box),
            and then never connected the page's live stream. Run here, while the document is
            still loading, htmx waits for DOMContentLoaded, after the extension registered. */
          }
          <script src="/static/htmx.min.js"></script>
          <script src="/static/ext/hx-sse.js"></script>
        </body>
      </html>
    </>
  );
}
