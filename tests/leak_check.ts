/**
 * Preloaded into every test module by `deno task test`: a test fails when it leaves open a GPU
 * device, an engine worker, a database client, a server, a browser or a child process that it
 * opened (see `engine/open_handles.ts`), and a module fails when something it opened at its top
 * level is still open after its last test (close those in a `Deno.test.afterAll`).
 *
 * @module
 */

import { type OpenHandle, openHandles } from "../engine/open_handles.ts";

function describe(handles: OpenHandle[]): string {
  return handles.map((handle) => `${handle.kind} (${handle.label})`).join(", ");
}

let before = new Set<number>();

Deno.test.beforeEach(() => {
  before = new Set(openHandles().map((handle) => handle.id));
});

Deno.test.afterEach(() => {
  const leaked = openHandles().filter((handle) => !before.has(handle.id));
  if (leaked.length > 0) throw new Error(`The test left open what it opened: ${describe(leaked)}`);
});

// Registered first, so it runs after the module's own afterAll hooks.
Deno.test.afterAll(() => {
  const leaked = openHandles();
  if (leaked.length > 0) {
    throw new Error(`The module left open after its last test: ${describe(leaked)}`);
  }
});
