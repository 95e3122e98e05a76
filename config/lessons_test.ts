import assert from "node:assert/strict";
import { lessonConfigs, LESSONS } from "./lessons.ts";
import { parseRunConfig } from "./schema.ts";
import type { RunConfig } from "../engine/spec.ts";

function parsed(input: unknown): RunConfig {
  const result = parseRunConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

/** `value` with the dotted `path` deleted; `*` walks every element of an array. */
function without(value: unknown, path: string[]): unknown {
  if (value === null || typeof value !== "object") return value;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    return head === "*" ? value.map((item) => without(item, rest)) : value;
  }
  const copy: Record<string, unknown> = { ...value };
  if (rest.length === 0) delete copy[head];
  else if (head in copy) copy[head] = without(copy[head], rest);
  return copy;
}

function knobValues(config: RunConfig, knob: string[]): string {
  const kept = knob.map((path) =>
    path.split(".").reduce<unknown>(
      (value, key) =>
        key === "*" && Array.isArray(value)
          ? value
          : Array.isArray(value)
          ? value.map((item) => (item as Record<string, unknown>)[key])
          : (value as Record<string, unknown>)?.[key],
      config,
    )
  );
  return JSON.stringify(kept);
}

for (const lesson of LESSONS) {
  Deno.test(`lessonConfigs(${lesson.id}) differ only in ${lesson.knob.join(", ")}`, () => {
    const configs = lessonConfigs(lesson).map(parsed);
    assert.ok(configs.length >= 2, "a comparison needs two runs or more");
    const rest = configs.map((config) =>
      JSON.stringify(
        [...lesson.knob, "name"].reduce<unknown>(
          (value, path) => without(value, path.split(".")),
          config,
        ),
      )
    );
    for (const other of rest.slice(1)) assert.equal(other, rest[0]);
    const turned = configs.map((config) => knobValues(config, lesson.knob));
    assert.equal(new Set(turned).size, configs.length, `every variant turns the knob: ${turned}`);
  });
}

Deno.test("lessonConfigs() name each run after its lesson and variant, on the seeded small base", () => {
  const names = LESSONS.flatMap((lesson) => lessonConfigs(lesson).map(parsed)).map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  assert.ok(names.includes("Lesson: optimizers — adam"));
  for (const config of LESSONS.flatMap((lesson) => lessonConfigs(lesson).map(parsed))) {
    assert.equal(config.seed, 42);
    assert.equal(config.data.dataset, "mnist");
    assert.ok(config.data.trainSize! <= 5000, `${config.name} trains on a few thousand rows`);
    assert.ok(config.epochs <= 6, `${config.name} trains for a few epochs`);
  }
});

Deno.test("lessonConfigs() put a lesson on the dataset it is given", () => {
  const configs = lessonConfigs(LESSONS[0], "fashion-mnist").map(parsed);
  assert.deepEqual(
    configs.map((config) => config.data.dataset),
    configs.map(() => "fashion-mnist"),
  );
});

Deno.test("the batch-norm lesson turns batch norm on every layer of a deep sigmoid net", () => {
  const lesson = LESSONS.find((candidate) => candidate.id === "batch-norm")!;
  const [off, on] = lessonConfigs(lesson).map(parsed);
  assert.ok(off.model.layers.length >= 4);
  assert.ok(off.model.layers.every((layer) => layer.activation === "sigmoid" && !layer.batchNorm));
  assert.ok(on.model.layers.every((layer) => layer.batchNorm));
});
