/**
 * `GET /runs/:id/live`: the run page's stream. Like `/api/runs/:id/events` it subscribes before
 * it reads the database, so no epoch falls between the two; but it sends HTML for htmx to swap:
 * a snapshot first (which also makes a reconnect whole again), then one message per epoch or
 * status change, and at the end the finished page body, which replaces the streaming one.
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { streamSSE } from "hono/streaming";
import { FINAL_STATUSES } from "../../db/runs.ts";
import type { RunEvent } from "../../jobs/run_events.ts";
import { LiveEpoch, LiveFinished, LiveSnapshot, LiveStatus } from "../../views/runs/run_live.tsx";
import { liveState } from "../../views/runs/run_page.tsx";
import type { AppContext } from "../context.ts";
import { parseRunId } from "../shell/params.ts";
import { loadRunView } from "./run_view_data.ts";

const HEARTBEAT_MS = 15_000;

export function runLiveRoute(ctx: AppContext): Hono {
  return new Hono().get("/:id/live", async (c) => {
    const id = parseRunId(c.req.param("id"));
    const pending: RunEvent[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = ctx.service.events.subscribe(id, (event) => {
      pending.push(event);
      wake?.();
    });
    const view = await loadRunView(ctx.db, ctx.datasetRoots, id);
    if (!view) {
      unsubscribe();
      throw new HTTPException(404, { message: `Run ${id} does not exist` });
    }
    const state = liveState(view.run);

    return streamSSE(c, async (stream) => {
      let closed = false;
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });
      const send = async (html: unknown) => {
        await stream.writeSSE({ data: String(await html) });
      };
      const finish = async () => {
        const finished = await loadRunView(ctx.db, ctx.datasetRoots, id);
        if (finished) await send(<LiveFinished view={finished} />);
      };
      try {
        if (FINAL_STATUSES.includes(state.status)) return await finish();
        await send(<LiveSnapshot state={state} />);
        while (!closed) {
          const event = pending.shift();
          if (!event) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, HEARTBEAT_MS);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = null;
            if (pending.length === 0 && !closed) await stream.write(": heartbeat\n\n");
            continue;
          }
          if (event.type === "epoch") {
            const last = state.epochs.at(-1)?.epoch ?? 0;
            if (event.epoch.epoch <= last) continue; // already in the snapshot
            state.epochs.push(event.epoch);
            state.epochsPlanned = event.total;
            await send(<LiveEpoch state={state} epoch={event.epoch} />);
          } else if (event.type === "status") {
            state.status = event.status;
            state.error = event.error ?? null;
            await send(<LiveStatus state={state} />);
          } else {
            return await finish();
          }
        }
      } finally {
        unsubscribe();
      }
    }, (error) => {
      // streamSSE itself then sends the message as an `error` event and closes.
      unsubscribe();
      console.error(`GET /runs/${id}/live failed:`, error);
      return Promise.resolve();
    });
  });
}
