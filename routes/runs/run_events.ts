/**
 * `GET /api/runs/:id/events`: server-sent events for one run — `epoch` (id = epoch number),
 * `progress` (the phases before the first epoch — loading, device, compiling — and steps within
 * a slow epoch; never stored, so a reconnect gets only those still to come), `status` and `done`. A client reconnecting with `Last-Event-ID: N` gets epochs after N: the
 * stream subscribes first, then replays the database, so nothing falls between the two.
 *
 * @module
 */

import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { Db } from "../../db/client.ts";
import { FINAL_STATUSES, getEpochs, getRun } from "../../db/runs.ts";
import type { RunEvent, RunEvents } from "../../jobs/run_events.ts";
import { parseRunId } from "../shell/params.ts";

const HEARTBEAT_MS = 15_000;

export function runEventsRoute(db: Db, events: RunEvents): Hono {
  return new Hono().get("/:id/events", async (c) => {
    const id = parseRunId(c.req.param("id"));
    const lastEventId = Number(c.req.header("Last-Event-ID") ?? c.req.query("lastEventId") ?? 0);
    const pending: RunEvent[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = events.subscribe(id, (event) => {
      pending.push(event);
      wake?.();
    });
    const run = await getRun(db, id);
    if (!run) {
      unsubscribe();
      return c.json({ error: `Run ${id} does not exist` }, 404);
    }
    return streamSSE(c, async (stream) => {
      let closed = false;
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });
      try {
        let sentEpoch = Number.isFinite(lastEventId) && lastEventId > 0 ? lastEventId : 0;
        for (const epoch of await getEpochs(db, id, sentEpoch)) {
          await stream.writeSSE({
            event: "epoch",
            id: String(epoch.epoch),
            data: JSON.stringify({ ...epoch, total: run.epochsPlanned }),
          });
          sentEpoch = epoch.epoch;
        }
        const current = (await getRun(db, id))!;
        await stream.writeSSE({
          event: "status",
          data: JSON.stringify({ status: current.status, error: current.error }),
        });
        if ((FINAL_STATUSES as readonly string[]).includes(current.status)) {
          await stream.writeSSE({
            event: "done",
            data: JSON.stringify({ status: current.status }),
          });
          return;
        }
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
            if (event.epoch.epoch <= sentEpoch) continue;
            await stream.writeSSE({
              event: "epoch",
              id: String(event.epoch.epoch),
              data: JSON.stringify({ ...event.epoch, total: event.total }),
            });
            sentEpoch = event.epoch.epoch;
          } else if (event.type === "progress") {
            await stream.writeSSE({ event: "progress", data: JSON.stringify(event.progress) });
          } else if (event.type === "status") {
            await stream.writeSSE({
              event: "status",
              data: JSON.stringify({ status: event.status, error: event.error ?? null }),
            });
          } else {
            await stream.writeSSE({
              event: "done",
              data: JSON.stringify({ status: event.status }),
            });
            return;
          }
        }
      } finally {
        unsubscribe();
      }
    }, async (error, stream) => {
      unsubscribe();
      await stream.writeSSE({ event: "error", data: JSON.stringify({ error: error.message }) });
    });
  });
}
