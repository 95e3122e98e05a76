/**
 * The OpenAPI entries of the lessons (`routes/lessons/lessons.tsx`), spread into `openapi.ts`'s
 * paths.
 *
 * @module
 */

import { LESSONS } from "../../config/lessons.ts";
import {
  badRequest,
  failure,
  integer,
  notFound,
  ok,
  record,
  ref,
  string,
} from "./openapi_schemas.ts";

const lessonIds = LESSONS.map((lesson) => lesson.id);

export const lessonPaths = {
  "/api/lessons": {
    get: {
      summary: "The seed exercise's lessons: each a group of run configs that differ in one knob",
      responses: {
        200: ok(record({
          lessons: {
            type: "array",
            items: record({
              id: { type: "string", enum: lessonIds },
              title: string,
              knob: {
                type: "array",
                items: string,
                description: "The config fields the runs differ in, dotted; * for every layer",
              },
              lookFor: string,
              configs: {
                type: "array",
                items: ref("RunConfig"),
                description: "One per variant, on MNIST (launching falls back to " +
                  "Fashion-MNIST where MNIST is not installed)",
              },
            }),
          },
        })),
      },
    },
  },
  "/api/lessons/{id}": {
    post: {
      summary: "Queue a lesson's runs, the same plain runs its card on /lessons launches",
      description: "Every config is checked as POST /api/runs checks it; when any would be " +
        "refused, none is queued. The Location header is the runs' comparison page.",
      parameters: [
        { name: "id", in: "path", required: true, schema: { type: "string", enum: lessonIds } },
      ],
      responses: {
        201: ok(
          record({ ids: { type: "array", items: integer } }),
          "Queued, in the lesson's order; Location is /runs/compare?ids=…&lesson=ID",
        ),
        400: { ...badRequest, description: "A run this server would refuse; nothing was queued" },
        404: { ...notFound, description: "No such lesson" },
        429: failure("The queue is full"),
      },
    },
  },
};
