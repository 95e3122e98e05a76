import assert from "node:assert/strict";
import { openDb } from "../../db/client.ts";
import { getStudyById, setStudyActive } from "../../db/studies.ts";
import { RunService } from "../../jobs/run_service.ts";
import { StudyService } from "../../jobs/study_service.ts";
import { seedStudy } from "../../tests/study_rows.ts";
import { createApp } from "../app.ts";

/** The app over a fresh in-memory database holding seeded studies "alpha" and "beta". */
async function testApp() {
  const { db, close } = await openDb({ url: ":memory:" });
  // No poll while the test runs: it would sweep seeded trial 2, whose heartbeat is long stale.
  const service = new RunService(db, { pollMs: 3_600_000 });
  const studies = new StudyService(db, service);
  const alpha = await seedStudy(db, "alpha");
  const beta = await seedStudy(db, "beta");
  const app = createApp({ datasetRoots: { mnist: "/nonexistent" }, db, service, studies });
  const post = (path: string, fields: Record<string, string> = {}) =>
    app.request(path, { method: "POST", body: new URLSearchParams(fields), redirect: "manual" });
  const page = async (path: string) => await (await app.request(path)).text();
  return {
    db,
    alpha,
    beta,
    post,
    page,
    async [Symbol.asyncDispose]() {
      await service.shutdown();
      close();
    },
  };
}

Deno.test("the study page offers the trials as CSV, and Rename and Delete in dialogs", async () => {
  await using t = await testApp();
  const id = t.alpha.study.id;
  const html = await t.page(`/studies/${id}`);
  assert.match(html, new RegExp(`href="/api/studies/${id}/trials.csv" download`));
  for (const dialog of ["rename-study", "delete-study"]) {
    assert.match(
      html,
      new RegExp(
        `<button type="button" class="\\w+" commandfor="${dialog}" command="show-modal"\\s*>`,
      ),
    );
    assert.match(html, new RegExp(`<dialog id="${dialog}"`));
  }
  assert.match(html, /name="name"[^>]*value="alpha"/);
  assert.ok(html.includes("This removes its 3 trials and the runs they trained"));
  await setStudyActive(t.db, id, true);
  const active = await t.page(`/studies/${id}`);
  const disabled = /command="show-modal" disabled(="")? title="Stop the study first"/g;
  assert.equal([...active.matchAll(disabled)].length, 2);
});

Deno.test("POST /studies/:id/rename renames, and answers a refusal with the form and the reason", async () => {
  await using t = await testApp();
  const id = t.alpha.study.id;
  assert.match(await t.page(`/studies/${id}/rename`), /<h2[^>]*>Rename study #\d+<\/h2>/);
  for (
    const [name, status, message] of [
      ["", 400, "Study name must be a string of 1 to 100 characters, got &quot;&quot;"],
      ["beta", 400, `Study name &quot;beta&quot; is taken by study #${t.beta.study.id}`],
    ] as const
  ) {
    const refused = await t.post(`/studies/${id}/rename`, { name });
    assert.equal(refused.status, status);
    const html = await refused.text();
    assert.ok(html.includes(`<p class="field-error" id="field-name-error">${message}`), html);
    assert.match(html, new RegExp(`name="name"[^>]*value="${name}"`), "the name as typed");
  }
  await setStudyActive(t.db, id, true);
  const busy = await t.post(`/studies/${id}/rename`, { name: "gamma" });
  assert.equal(busy.status, 409);
  assert.ok((await busy.text()).includes("Study &quot;alpha&quot; is running; stop it first"));
  await setStudyActive(t.db, id, false);
  const done = await t.post(`/studies/${id}/rename`, { name: "gamma" });
  assert.equal(done.status, 303);
  assert.equal(done.headers.get("Location"), `/studies/${id}`);
  assert.equal((await getStudyById(t.db, id))?.name, "gamma");
});

Deno.test("POST /studies/:id/delete deletes after the confirmation, and refuses under a worker", async () => {
  await using t = await testApp();
  const id = t.alpha.study.id;
  assert.ok((await t.page(`/studies/${id}/delete`)).includes("Delete study “alpha”?"));
  assert.ok((await t.page("/studies")).includes(">alpha<"), "listed before");
  await setStudyActive(t.db, id, true);
  const busy = await t.post(`/studies/${id}/delete`);
  assert.equal(busy.status, 409);
  assert.match(
    await busy.text(),
    /<p class="error" role="alert">Study &quot;alpha&quot; is running/,
  );
  assert.ok(await getStudyById(t.db, id), "kept");
  await setStudyActive(t.db, id, false);
  const done = await t.post(`/studies/${id}/delete`);
  assert.equal(done.status, 303);
  assert.equal(done.headers.get("Location"), "/studies");
  assert.equal(await getStudyById(t.db, id), undefined);
  assert.equal((await t.post(`/studies/${id}/delete`)).status, 404);
  assert.ok(!(await t.page("/studies")).includes(">alpha<"), "gone from the list");
});
