/**
 * The lessons: `GET /lessons` shows a card per lesson, whose button posts to `/lessons/:id`,
 * which queues the lesson's runs and redirects to their comparison. `GET /api/lessons` lists
 * them and `POST /api/lessons/:id` queues the same runs for a script.
 *
 * @module
 */

import { Hono } from "hono";
import { badRequestBody } from "../../config/issues.ts";
import { lessonConfigs, LESSONS } from "../../config/lessons.ts";
import { LessonsPage } from "../../views/lessons/lessons_page.tsx";
import type { AppContext } from "../context.ts";
import { compareHref, launchLesson, lessonOf } from "./launch_lesson.ts";

export function lessonRoutes(ctx: AppContext): Hono {
  return new Hono()
    .get("/lessons", (c) => c.html(<LessonsPage lessons={LESSONS} />))
    .post("/lessons/:id", async (c) => {
      const lesson = lessonOf(c.req.param("id"));
      const outcome = await launchLesson(ctx, lesson);
      if (!outcome.ok) {
        return c.html(<LessonsPage lessons={LESSONS} refused={{ lesson, ...outcome }} />, 400);
      }
      return c.redirect(compareHref(outcome.ids, lesson), 303);
    })
    .get("/api/lessons", (c) =>
      c.json({
        lessons: LESSONS.map((lesson) => ({
          id: lesson.id,
          title: lesson.title,
          knob: lesson.knob,
          lookFor: lesson.lookFor,
          configs: lessonConfigs(lesson),
        })),
      }))
    .post("/api/lessons/:id", async (c) => {
      const lesson = lessonOf(c.req.param("id"));
      const outcome = await launchLesson(ctx, lesson);
      if (!outcome.ok) {
        return c.json(badRequestBody(outcome.issues, `Cannot launch lesson ${lesson.id}`), 400);
      }
      return c.json({ ids: outcome.ids }, 201, { Location: compareHref(outcome.ids, lesson) });
    });
}
