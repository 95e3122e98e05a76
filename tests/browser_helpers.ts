/**
 * Headless Chromium (Debian's `chromium` package) driven by playwright-core, for browser tests.
 *
 * @module
 */

import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { trackHandle } from "../engine/open_handles.ts";

export const CHROMIUM = "/usr/bin/chromium";

/** Browser tests are skipped where Debian's chromium is not installed. */
export const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

const SCREENSHOTS = new URL("./screenshots/", import.meta.url);

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  browser.on("disconnected", trackHandle("browser", CHROMIUM));
  return browser;
}

/**
 * A laptop-sized page (unless `options` say another size or a colour scheme) that fails the test
 * on any script error.
 */
export async function openPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, ...options });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  return { page, errors };
}

/** Saves a full-page screenshot as `tests/screenshots/<name>.png` (gitignored) for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true });
}

/** Rows matching a selector: how many the page had when it loaded, and the most seen since. */
export interface LiveCount {
  atLoad: number;
  most: number;
  /** Server-sent event streams the page's htmx has connected. */
  connections: number;
}

/**
 * Counts, from before each page's own scripts run, the rows matching `selector` when the page
 * loads and the most seen afterwards, so a test can tell rows streamed in from rendered ones, and
 * the page's SSE connections. Read them with {@linkcode readLiveCount}.
 */
export async function countLiveRows(page: Page, selector: string): Promise<void> {
  await page.addInitScript((selector: string) => {
    const counts = { atLoad: 0, most: 0, connections: 0 };
    (globalThis as unknown as { liveCount: LiveCount }).liveCount = counts;
    const count = () => document.querySelectorAll(selector).length;
    document.addEventListener("DOMContentLoaded", () => {
      counts.atLoad = count();
      counts.most = Math.max(counts.most, counts.atLoad);
    });
    document.addEventListener("htmx:sse:after:connection", () => counts.connections++);
    new MutationObserver(() => {
      counts.most = Math.max(counts.most, count());
    }).observe(document, { childList: true, subtree: true });
  }, selector);
}

export function readLiveCount(page: Page): Promise<LiveCount> {
  return page.evaluate(() => (globalThis as unknown as { liveCount: LiveCount }).liveCount);
}

/** Resolves once the page's htmx has connected its server-sent event stream. */
export async function streamConnected(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    (globalThis as unknown as { liveCount: LiveCount }).liveCount.connections > 0
  );
}

/** Counts the form's finished redraws, from before the page's own scripts run. */
export async function countRedraws(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const state = globalThis as unknown as { redraws: number };
    state.redraws = 0;
    document.addEventListener("htmx:finally:request", () => state.redraws++);
  });
}

/**
 * Does `edit` and waits until the server's answer to it is morphed in and no other request is
 * in flight, so the next edit lands on the redrawn form.
 */
export async function redrawn(page: Page, edit: () => Promise<unknown>): Promise<void> {
  const before = await page.evaluate(() => (globalThis as unknown as { redraws: number }).redraws);
  await edit();
  await page.waitForFunction(
    (before) =>
      (globalThis as unknown as { redraws: number }).redraws > before &&
      !document.querySelector(".htmx-request"),
    before,
  );
}

/**
 * Types `value` into the input named `name` and leaves it, as a person tabbing on would; the
 * value must differ from the field's, or no change is posted.
 */
export async function enter(page: Page, name: string, value: string): Promise<void> {
  const input = page.locator(`input[name="${name}"]`);
  await redrawn(page, async () => {
    await input.fill(value);
    await input.blur();
  });
}
