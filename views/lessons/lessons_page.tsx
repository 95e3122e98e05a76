/**
 * `/lessons`: the seed exercise's sections as cards, each launching a small seeded group of runs
 * that differ in one knob and opening their comparison.
 *
 * @module
 */

import type { Issue } from "../../config/issues.ts";
import { type Lesson, LESSON_SEED, LESSON_TRAIN_SIZE } from "../../config/lessons.ts";
import { Layout } from "../shell/layout.tsx";
import { LessonCard } from "./lesson_card.tsx";

export interface LessonsPageProps {
  lessons: Lesson[];
  /** A launch that was refused, shown on its lesson's card. */
  refused?: { lesson: Lesson; issues: Issue[] };
}

export function LessonsPage({ lessons, refused }: LessonsPageProps) {
  return (
    <Layout title="Lessons" current="/lessons">
      <section class="lessons-intro">
        <h2>Lessons</h2>
        <p>
          Each card turns one knob of the classic exercise and keeps everything else the same: seed
          {" "}
          {LESSON_SEED}, {LESSON_TRAIN_SIZE.toLocaleString("en")}{" "}
          MNIST training rows (Fashion-MNIST where MNIST is not installed), the same split and
          network. Its button queues the runs — about a minute on a CPU — and opens their
          comparison, where the curves and the per-layer statistics sit side by side. They are plain
          runs: <code>POST /api/lessons/:id</code> makes the same ones.
        </p>
      </section>
      <div class="lessons">
        {lessons.map((lesson) => (
          <LessonCard
            lesson={lesson}
            refused={refused?.lesson.id === lesson.id ? refused.issues : undefined}
          />
        ))}
      </div>
    </Layout>
  );
}
