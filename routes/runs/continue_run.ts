/**
 * "Continue training": a finished run trained for N more epochs, as a new run that resumes from
 * its last checkpoint (`db/checkpoints.ts`) and names it. Checked as a new run is — the longer
 * config through the schema's limits and this server's admission — plus what only a
 * continuation needs: a completed plain run whose checkpoint is after its last epoch, and a
 * schedule that does not depend on the run's length.
 *
 * @module
 */

import type { Issue } from "../../config/issues.ts";
import { parseRunConfig } from "../../config/schema.ts";
import { checkpointEpoch } from "../../db/checkpoints.ts";
import { getRun } from "../../db/runs.ts";
import type { RunConfig } from "../../engine/spec.ts";
import type { EarlyStopRecord } from "../../engine/train.ts";
import type { AppContext } from "../context.ts";
import { runIssues } from "../shell/admit.ts";

export type ContinueOutcome =
  | { ok: true; id: number }
  | { ok: false; status: 400 | 404 | 409; issues: Issue[] };

/** Why run `run` cannot be continued at all, or null when it can. */
export function continueRefusal(
  run: {
    id: number;
    status: string;
    studyId: number | null;
    epochsPlanned: number;
    earlyStop: unknown;
  },
  config: RunConfig,
  checkpoint: number | null,
): string | null {
  if (run.status === "queued" || run.status === "running") {
    return `Run ${run.id} is still ${run.status}; it can be continued once it has completed`;
  }
  if (run.status !== "completed") {
    return `Run ${run.id} ended ${run.status}; only a completed run can be continued`;
  }
  if (run.studyId !== null) {
    return `Run ${run.id} is a study trial, whose training state is not kept; ` +
      `train the study's best trial instead`;
  }
  const stopped = (run.earlyStop as EarlyStopRecord | null)?.stoppedEpoch ?? null;
  if (stopped !== null) {
    return `Run ${run.id} stopped early after epoch ${stopped} because its dev metric stopped ` +
      `improving; clone it with more patience instead`;
  }
  if (checkpoint !== run.epochsPlanned) {
    return `Run ${run.id} has no stored training state (it finished before checkpoints were ` +
      `kept); clone it with more epochs instead`;
  }
  const scheduler = config.scheduler;
  if (scheduler?.type === "one_cycle" && scheduler.totalSteps === undefined) {
    return `Run ${run.id}'s OneCycle schedule spans its ${config.epochs} epochs; more epochs ` +
      `would reshape the cycle it is in the middle of. Clone it with more epochs instead`;
  }
  return null;
}

/** Queues run `id` continued for `more` epochs (validated here). */
export async function continueRun(
  ctx: AppContext,
  id: number,
  more: unknown,
): Promise<ContinueOutcome> {
  const refuse = (status: 400 | 404 | 409, message: string, path = ""): ContinueOutcome => ({
    ok: false,
    status,
    issues: [{ path, message }],
  });
  const run = await getRun(ctx.db, id);
  if (!run) return refuse(404, `Run ${id} does not exist`);
  const config = run.config as RunConfig;
  const refusal = continueRefusal(run, config, await checkpointEpoch(ctx.db, id));
  if (refusal) return refuse(409, refusal);
  if (typeof more !== "number" || !Number.isInteger(more) || more < 1) {
    return refuse(
      400,
      `More epochs must be a whole number of at least 1, got ${JSON.stringify(more)}`,
      "epochs",
    );
  }
  const parsed = parseRunConfig({ ...config, epochs: config.epochs + more });
  if (!parsed.ok) {
    // The only field that changed is epochs: its limit, said in terms of what was asked.
    const limit = parsed.issues.find((issue) => issue.path === "epochs");
    if (limit) {
      return refuse(400, `${config.epochs} + ${more} epochs: ${limit.message}`, "epochs");
    }
    return { ok: false, status: 400, issues: parsed.issues };
  }
  const issues = await runIssues(ctx, parsed.config);
  if (issues.length) return { ok: false, status: 400, issues };
  const created = await ctx.service.createContinuation(id, parsed.config);
  if (created === null) return refuse(409, `Run ${id}'s training state was deleted meanwhile`);
  return { ok: true, id: created };
}
