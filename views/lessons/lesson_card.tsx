/**
 * One lesson: what it turns, what to look for, its variants and the button that queues them.
 *
 * @module
 */

import type { Issue } from "../../config/issues.ts";
import type { Lesson } from "../../config/lessons.ts";

export interface LessonCardProps {
  lesson: Lesson;
  /** Why the last launch of this lesson was refused; nothing was queued. */
  refused?: Issue[];
}

export function LessonCard({ lesson, refused }: LessonCardProps) {
  const headingId = `lesson-${lesson.id}`;
  return (
    <section class="card lesson" aria-labelledby={headingId} id={lesson.id}>
      <h2 id={headingId}>{lesson.title}</h2>
      <p>{lesson.lookFor}</p>
      <p class="lesson-knob">
        Runs differ only in <code>{lesson.knob.join(", ")}</code>:
      </p>
      <ul class="lesson-variants">
        {lesson.variants.map((variant) => <li key={variant.label}>{variant.label}</li>)}
      </ul>
      {refused && (
        <div class="lesson-refused" role="alert">
          <p>Not launched: this server would refuse these runs.</p>
          <ul>
            {refused.map((issue) => (
              <li>
                <code>{issue.path}</code> {issue.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <form method="post" action={`/lessons/${lesson.id}`}>
        <button type="submit" class="primary">
          Run these {lesson.variants.length} and compare
        </button>
      </form>
    </section>
  );
}
