/**
 * Launching a lesson: its configs on a dataset this server has (MNIST, else Fashion-MNIST),
 * each parsed and admitted as `POST /api/runs` would, then all queued — or none, with the
 * reasons, when any would be refused.
 *
 * @module
 */

import type { Issue } from "../../config/issues.ts";
import { HTTPException } from "hono/http-exception";
import {
  findLesson,
  type Lesson,
  LESSON_DATASETS,
  lessonConfigs,
  LESSONS,
} from "../../config/lessons.ts";
import { parseRunConfig } from "../../config/schema.ts";
import { describeDatasets } from "../../engine/data/load.ts";
import type { RunConfig } from "../../engine/spec.ts";
import type { AppContext } from "../context.ts";
import { runIssues } from "../shell/admit.ts";

/** The lesson named `id`, or a 404 naming the lessons there are. */
export function lessonOf(id: string): Lesson {
  const lesson = findLesson(id);
  if (!lesson) {
    throw new HTTPException(404, {
      message: `Lesson ${JSON.stringify(id)} does not exist; the lessons are ${
        LESSONS.map((known) => known.id).join(", ")
      }`,
    });
  }
  return lesson;
}

export type LessonPlan = { ok: true; configs: RunConfig[] } | { ok: false; issues: Issue[] };

/** The lesson's run configs as this server would queue them, or why it would not. */
export async function planLesson(ctx: AppContext, lesson: Lesson): Promise<LessonPlan> {
  const datasets = await describeDatasets(ctx.datasetRoots);
  const dataset = LESSON_DATASETS.find((id) => datasets.some((info) => info.id === id));
  if (!dataset) {
    return {
      ok: false,
      issues: [{
        path: "data.dataset",
        message: `Lessons train on ${LESSON_DATASETS.join(" or ")}, and neither is installed ` +
          `on this server (set AJUSTE_MNIST_DIR or AJUSTE_FASHION_MNIST_DIR)`,
      }],
    };
  }
  const configs: RunConfig[] = [];
  const issues: Issue[] = [];
  for (const input of lessonConfigs(lesson, dataset)) {
    const parsed = parseRunConfig(input);
    const refused = parsed.ok ? await runIssues(ctx, parsed.config, datasets) : parsed.issues;
    if (parsed.ok && refused.length === 0) configs.push(parsed.config);
    issues.push(
      ...refused.map((issue) => ({ ...issue, message: `${input.name}: ${issue.message}` })),
    );
  }
  return issues.length ? { ok: false, issues } : { ok: true, configs };
}

/** Queues the lesson's runs; their ids in the lesson's order, or why none was queued. */
export async function launchLesson(
  ctx: AppContext,
  lesson: Lesson,
): Promise<{ ok: true; ids: number[] } | { ok: false; issues: Issue[] }> {
  const plan = await planLesson(ctx, lesson);
  if (!plan.ok) return plan;
  const ids: number[] = [];
  for (const config of plan.configs) ids.push(await ctx.service.create(config));
  return { ok: true, ids };
}

/** The comparison page of a launched lesson's runs, with what to look for in them. */
export function compareHref(ids: number[], lesson: Lesson): string {
  return `/runs/compare?ids=${ids.join(",")}&lesson=${lesson.id}`;
}
