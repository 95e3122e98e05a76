/**
 * `GET /studies/:id/live`: the study page's stream. Trials may run in any process sharing the
 * database (CLI workers too), so, like `/api/studies/:id/events`, it polls the database each
 * second; when any trial changed it sends the page's changing parts as HTML for htmx to swap,
 * and once the study is no longer running, the finished page body, which ends the stream.
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { streamSSE } from "hono/streaming";
import type { StudyReport } from "../../jobs/study_report.ts";
import { StudyLiveFinished, StudyLiveUpdate } from "../../views/studies/study_live.tsx";
import type { StudyView } from "../../views/studies/study_parts.tsx";
import type { AppContext } from "../context.ts";
import { parseRunId } from "../shell/params.ts";
import { readTrialQuery } from "./study_pages.tsx";
import { loadStudyView } from "./study_view_data.ts";

const POLL_MS = 1000;
/** Sent while nothing changes, so a closed connection is noticed. */
const HEARTBEAT_MS = 15_000;

/** Changes whenever a trial starts, reports an epoch or ends. */
function trialsKey(report: StudyReport): string {
  return report.trials
    .map((t) => `${t.number}:${t.state}:${t.value}:${t.intermediateValues.length}:${t.runId}`)
    .join(",");
}

export function studyLiveRoute(ctx: AppContext): Hono {
  return new Hono().get("/:id/live", async (c) => {
    const query = readTrialQuery(c.req.query());
    const id = parseRunId(c.req.param("id"), "Study id");
    let view: StudyView | undefined = await loadStudyView(ctx.db, id);
    if (!view) throw new HTTPException(404, { message: `Study ${id} does not exist` });

    return streamSSE(c, async (stream) => {
      let closed = false;
      stream.onAbort(() => {
        closed = true;
      });
      const send = async (html: unknown) => {
        await stream.writeSSE({ data: String(await html) });
      };
      let sentKey = "";
      let quietMs = 0;
      while (!closed && view) {
        if (view.status !== "running") {
          return await send(<StudyLiveFinished view={view} query={query} />);
        }
        const key = trialsKey(view.report);
        if (key !== sentKey) {
          await send(<StudyLiveUpdate view={view} query={query} />);
          sentKey = key;
          quietMs = 0;
        } else if ((quietMs += POLL_MS) >= HEARTBEAT_MS) {
          await stream.write(": heartbeat\n\n");
          quietMs = 0;
        }
        await stream.sleep(POLL_MS);
        if (!closed) view = await loadStudyView(ctx.db, id, view);
      }
    }, (error) => {
      console.error(`GET /studies/${id}/live failed:`, error);
      return Promise.resolve();
    });
  });
}
