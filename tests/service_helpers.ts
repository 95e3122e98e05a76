/**
 * A real ajuste server for tests: a temp libSQL file, the real engine worker, port 0.
 *
 * @module
 */

import { type Server, type StartOptions, startServer } from "../main.ts";

export interface TestServer {
  url: string;
  server: Server;
  dbUrl: string;
  close(): Promise<void>;
}

/**
 * Starts a server on a fresh database (or `dbUrl`, to restart over an existing one), looking at
 * its job queue every 100 ms.
 */
export async function startTestServer(
  dbUrl?: string,
  options: Partial<StartOptions> = {},
): Promise<TestServer> {
  const dir = dbUrl ? null : await Deno.makeTempDir({ prefix: "ajuste-test-" });
  const url = dbUrl ?? `file:${dir}/ajuste.db`;
  const server = await startServer({
    port: 0,
    host: "127.0.0.1",
    db: url,
    quiet: true,
    pollMs: 100,
    ...options,
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    server,
    dbUrl: url,
    async close() {
      await server.shutdown();
      if (dir) await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A run that trains in well under a second on the CPU reference. */
export function tinyRun(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "tiny",
    device: "cpu",
    epochs: 3,
    data: {
      dataset: "synthetic-binary",
      normalize: null,
      split: { train: 0.8, dev: 0.1, test: 0.1 },
    },
    model: { layers: [{ units: 8 }] },
    batch: { size: 32 },
    ...overrides,
  };
}

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/** Reads an SSE response until `done` (or until `stop` says so), returning the events in order. */
export async function readSse(
  response: Response,
  stop: (event: SseEvent) => boolean = () => false,
): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = { event: "message", data: "" };
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event.event = line.slice(6).trim();
          else if (line.startsWith("id:")) event.id = line.slice(3).trim();
          else if (line.startsWith("data:")) event.data += line.slice(5).trim();
        }
        if (block.startsWith(":")) continue;
        events.push(event);
        if (event.event === "done" || stop(event)) return events;
      }
    }
    return events;
  } finally {
    await reader.cancel().catch(() => {});
  }
}

export async function postJson(
  url: string,
  body: unknown,
  init: RequestInit = {},
): Promise<Response> {
  return await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...init.headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** Cancels a run through the API. */
export async function cancelRun(url: string, id: number): Promise<void> {
  const response = await postJson(`${url}/api/runs/${id}/cancel`, "");
  await response.body?.cancel();
}

/**
 * Keeps the server's engine training a long CPU run until `release()` cancels it. Runs queue
 * first in, first out behind it, so a test can open a page before its run trains a single
 * epoch, on however fast or slow a machine.
 */
export async function occupyEngine(url: string): Promise<{ id: number; release(): Promise<void> }> {
  const long = tinyRun({ name: "engine blocker", epochs: 10_000, batch: { mode: "stochastic" } });
  const { id } = await (await postJson(`${url}/api/runs`, long)).json();
  await waitFor(async () => {
    const run = await (await fetch(`${url}/api/runs/${id}`)).json();
    return run.status === "running" || undefined;
  }, "the blocking run to start");
  return { id, release: () => cancelRun(url, id) };
}

/** Resolves as `promise` does, or fails naming `what` once `timeoutMs` has passed first. */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 30_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
