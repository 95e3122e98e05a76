import assert from "node:assert/strict";
import { type AdmissionContext, studyAdmissionIssues } from "./admission.ts";
import { parseStudySpec, type StudySpec } from "./study_schema.ts";

/** A 4 GiB budget on a CPU host, with one small synthetic dataset. */
const CTX: AdmissionContext = {
  memoryBudgetBytes: 4 * 2 ** 30,
  datasets: [
    { id: "synthetic-binary", name: "Synthetic", features: 10, classes: 2, train: 1000, test: 0 },
  ],
  roots: { mnist: "/nonexistent/mnist" },
  device: { backend: "cpu", reason: "none in tests" },
};

function depthStudy(high: number, units: number): StudySpec {
  const result = parseStudySpec({
    name: "depth",
    base: { data: { dataset: "synthetic-binary" } },
    space: {
      "model.layers": {
        type: "layers",
        low: 1,
        high,
        layer: { units: { type: "int", low: 16, high: units, log: true }, batchNorm: true },
      },
    },
  });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return result.spec;
}

Deno.test("studyAdmissionIssues() refuses a depth entry whose deepest, widest trial does not fit", async () => {
  const issues = await studyAdmissionIssues(depthStudy(16, 8192), CTX);
  assert.equal(issues.length, 1, JSON.stringify(issues));
  const [issue] = issues;
  assert.equal(issue.path, "space.model.layers");
  assert.match(issue.message, /model\.layers\.length = 16/);
  assert.match(issue.message, /over the 4 GiB a run may take on this server/);
  assert.match(issue.message, /use fewer or narrower hidden layers/);
});

Deno.test("studyAdmissionIssues() passes a small depth entry", async () => {
  assert.deepEqual(await studyAdmissionIssues(depthStudy(3, 256), CTX), []);
});
