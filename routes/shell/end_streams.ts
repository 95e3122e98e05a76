/**
 * Ends every open event stream soon after `signal` aborts. `Deno.HttpServer.shutdown()` waits for
 * each response to finish, and an SSE response to a queued run or a study page never does on its
 * own, so without this a server with a dashboard open could not stop. Browsers reconnect an
 * `EventSource` that ends without `done`, so a restarted server picks the page up again.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";

/** How long a stream may take to finish on its own (a run's `done` being written) before it is cut. */
export const STREAM_GRACE_MS = 500;

export function endStreamsOn(signal: AbortSignal, graceMs = STREAM_GRACE_MS): MiddlewareHandler {
  return async function endStreams(c, next) {
    await next();
    const body = c.res.body;
    if (!body || !c.res.headers.get("Content-Type")?.startsWith("text/event-stream")) return;
    const reader = body.getReader();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cut = () => {};
    let closed = false;
    const onAbort = () => timer = setTimeout(cut, graceMs);
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    const ended = new ReadableStream<Uint8Array>({
      start(controller) {
        cut = () => {
          // Cancelling the source runs the route's `stream.onAbort`, which ends its loop.
          reader.cancel("The server is shutting down").catch(() => {});
          if (!closed) controller.close();
          closed = true;
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      },
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (closed) return;
          if (!done) return controller.enqueue(value);
          settle();
          controller.close();
          closed = true;
        } catch (error) {
          settle();
          if (!closed) controller.error(error);
          closed = true;
        }
      },
      cancel(reason) {
        settle();
        return reader.cancel(reason);
      },
    });
    c.res = new Response(ended, c.res);
  };
}
