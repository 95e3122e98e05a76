import assert from "node:assert/strict";
import { parseStudySpec, type StudySpec } from "../config/study_schema.ts";
import { openDb } from "./client.ts";
import { listStudies, openStudy, StudyConflict, studySpecDifferences } from "./studies.ts";

function spec(input: Record<string, unknown> = {}): StudySpec {
  const parsed = parseStudySpec({
    name: "same",
    base: { epochs: 2, data: { dataset: "synthetic-binary", split: { train: 0.8, test: 0.1 } } },
    space: {
      "optimizer.lr": { type: "float", low: 0.001, high: 0.1, log: true },
      "optimizer.type": { type: "categorical", choices: ["sgd", "adam"] },
    },
    ...input,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.spec;
}

Deno.test("studySpecDifferences() ignores key order and written defaults, and names what differs", () => {
  const reordered = spec({
    direction: "maximize",
    sampler: { type: "tpe" },
    base: { data: { split: { test: 0.1, train: 0.8 }, dataset: "synthetic-binary" }, epochs: 2 },
    space: {
      "optimizer.type": { choices: ["sgd", "adam"], type: "categorical" },
      "optimizer.lr": { log: true, high: 0.1, low: 0.001, type: "float" },
    },
  });
  assert.deepEqual(studySpecDifferences(spec(), reordered), []);
  assert.deepEqual(
    studySpecDifferences(
      spec(),
      spec({ direction: "minimize", trials: 5, base: { epochs: 3 } }),
    ),
    ["direction", "trials", "base"],
  );
  assert.deepEqual(studySpecDifferences(spec(), spec({ sampler: { seed: 1 } })), ["sampler"]);
});

Deno.test("openStudy() creates, joins with the same file, and refuses another file under the name", async () => {
  const dir = await Deno.makeTempDir();
  const { db, close } = await openDb({ url: `file:${dir}/studies.db` });
  try {
    const first = await openStudy(db, spec());
    assert.equal(first.created, true);
    const again = await openStudy(db, spec());
    assert.equal(again.created, false);
    assert.equal(again.study.id, first.study.id);

    const changed = spec({
      direction: "minimize",
      base: {
        epochs: 2,
        data: { dataset: "synthetic-binary", split: { train: 0.75, test: 0.15 } },
      },
    });
    const refused = await openStudy(db, changed).then(() => undefined, (error) => error);
    assert.ok(refused instanceof StudyConflict);
    assert.deepEqual(refused.fields, ["direction", "base"]);
    assert.equal(
      refused.message,
      'Study "same" already exists with a different direction, base; choose another name or ' +
        "send the same file",
    );
    const [stored] = await listStudies(db);
    assert.equal(stored.direction, "maximize", "the stored study is left as it was");
  } finally {
    close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("studySpecDifferences() matches a study stored before a default existed, resumed as stored", () => {
  // Stored by a version without sampler.constantLiar; Resume passes the stored file back as is.
  const stored = structuredClone(spec()) as StudySpec & { sampler: Record<string, unknown> };
  delete stored.sampler.constantLiar;
  assert.deepEqual(studySpecDifferences(stored, stored), []);
  assert.deepEqual(studySpecDifferences(stored, spec()), []);
});
