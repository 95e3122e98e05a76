/**
 * `GET /runs/:id/live`: the run page's stream. Like `/api/runs/:id/events` it subscribes before
 * it reads the database, so no epoch falls between the two; but it sends HTML for htmx to swap:
 * a snapshot first (which also makes a reconnect whole again), then a message per status change
 * and per phase before the first epoch (loading, device, compiling, training), epochs and steps
 * coalesced to one message per `LIVE_MIN_GAP_MS` (every epoch's row and point in it), and at the
 * end the finished page body, which replaces the streaming one. A named `run-epoch` event, at most
 * once a second, tells sections that redraw per epoch to fetch themselves again.
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { streamSSE } from "hono/streaming";
import { type EpochRow, FINAL_STATUSES, getRun } from "../../db/runs.ts";
import type { DeviceRecord } from "../../engine/train.ts";
import type { RunEvent } from "../../jobs/run_events.ts";
import { LiveEpochs, LiveFinished, LiveSnapshot, LiveStatus } from "../../views/runs/run_live.tsx";
import { liveState } from "../../views/runs/run_page.tsx";
import type { AppContext } from "../context.ts";
import { parseRunId } from "../shell/params.ts";
import { loadRunView } from "./run_view_data.ts";

const HEARTBEAT_MS = 15_000;
/** The stream sends at most one message this often while epochs or steps pour in. */
export const LIVE_MIN_GAP_MS = 250;
/** How often at most the named `run-epoch` event goes out (see `LIVE_EPOCH_TRIGGER`). */
const EPOCH_TRIGGER_MS = 1000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The run's warm-up, stored with its device once it started. */
async function warmup(ctx: AppContext, id: number): Promise<number | null> {
  const run = await getRun(ctx.db, id);
  return (run?.device as DeviceRecord | null)?.warmupSeconds ?? null;
}

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
      /** Waits for an event (or `ms`), unless one is pending or the client went. */
      const idle = (ms: number) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        }).finally(() => wake = null);
      let lastEpochSent = 0;
      let lastTrigger = 0;
      try {
        if (FINAL_STATUSES.includes(state.status)) return await finish();
        await send(<LiveSnapshot state={state} />);
        while (!closed) {
          if (pending.length === 0) {
            await idle(HEARTBEAT_MS);
            if (pending.length === 0 && !closed) await stream.write(": heartbeat\n\n");
            continue;
          }
          // Everything that came meanwhile: a run of 50 epochs a second sends one message with
          // all of them (every row, every point), not 50 redraws.
          const batch = pending.splice(0);
          const fresh: EpochRow[] = [];
          let changed = false;
          for (const event of batch) {
            if (event.type === "epoch") {
              const last = state.epochs.at(-1)?.epoch ?? 0;
              if (event.epoch.epoch <= last) continue; // already in the snapshot
              state.epochs.push(event.epoch);
              state.epochsPlanned = event.total;
              fresh.push(event.epoch);
              changed = true;
            } else if (event.type === "progress") {
              const phaseChange = event.progress.phase !== "training" ||
                state.progress?.phase !== "training";
              state.progress = event.progress;
              // The run is claimed (and stored as running) before its engine says so.
              if (state.status === "queued") state.status = "running";
              // Each phase before the first epoch is shown, however quickly the next comes.
              if (phaseChange) {
                await send(<LiveStatus state={state} />);
                changed = false;
              } else changed = true;
            } else if (event.type === "status") {
              state.status = event.status;
              state.error = event.error ?? null;
              if (event.status === "running") {
                // Its session is ready: the first epoch is under way.
                state.warmupSeconds = await warmup(ctx, id);
                if (state.epochs.length === 0 && state.progress?.phase !== "training") {
                  state.progress = { phase: "training", epoch: 1, step: 0, steps: 0 };
                }
              }
              await send(<LiveStatus state={state} />);
              changed = false;
            } else {
              return await finish();
            }
          }
          if (fresh.length > 0) {
            await send(<LiveEpochs state={state} epochs={fresh} />);
            lastEpochSent = Date.now();
          } else if (changed) await send(<LiveStatus state={state} />);
          // Sections that redraw per epoch (layer statistics) are told at most once a second.
          if (fresh.length > 0 && lastEpochSent - lastTrigger >= EPOCH_TRIGGER_MS) {
            await stream.writeSSE({ event: "run-epoch", data: String(state.epochs.length) });
            lastTrigger = lastEpochSent;
          }
          // At most one redraw per LIVE_MIN_GAP_MS: what arrives meanwhile goes in the next.
          if (fresh.length > 0 || changed) await pause(LIVE_MIN_GAP_MS);
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
