/**
 * A study renamed and deleted in a real browser through the study page's dialogs (invoker
 * commands, no script of ours), and a patient pruner wrapping Hyperband set on the new-study
 * form. Screenshots land in `tests/screenshots/`.
 */

import assert from "node:assert/strict";
import { openDb } from "../db/client.ts";
import { RunService } from "../jobs/run_service.ts";
import { StudyService } from "../jobs/study_service.ts";
import { createApp } from "../routes/app.ts";
import {
  countRedraws,
  hasChromium,
  launchBrowser,
  openPage,
  redrawn,
  screenshot,
} from "./browser_helpers.ts";
import { seedStudy } from "./study_rows.ts";

Deno.test({
  name: "dashboard: rename and delete a study in its dialogs, and set a patient pruner",
  ignore: !hasChromium,
  async fn() {
    const { db, close } = await openDb({ url: ":memory:" });
    // No poll while the test runs: it would sweep seeded trial 2, whose heartbeat is long stale.
    const service = new RunService(db, { pollMs: 3_600_000 });
    const studies = new StudyService(db, service);
    const { study } = await seedStudy(db, "alpha");
    const app = createApp({ datasetRoots: { mnist: "/nonexistent" }, db, service, studies });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
    const url = `http://127.0.0.1:${server.addr.port}`;
    const browser = await launchBrowser();
    try {
      const { page, errors } = await openPage(browser);
      page.setDefaultTimeout(20_000);
      await page.goto(`${url}/studies/${study.id}`);

      await page.getByRole("button", { name: "Rename…" }).click();
      const rename = page.getByRole("dialog", { name: `Rename study #${study.id}` });
      await rename.waitFor();
      await rename.getByLabel("New name").fill("alpha, renamed");
      await screenshot(page, "study-rename-dialog");
      await rename.getByRole("button", { name: "Rename" }).click();
      await page.getByRole("heading", { name: `Study #${study.id} · alpha, renamed` }).waitFor();

      await page.getByRole("button", { name: "Delete…" }).click();
      const remove = page.getByRole("dialog", { name: "Delete study “alpha, renamed”?" });
      await remove.getByText("This removes its 3 trials").waitFor();
      await screenshot(page, "study-delete-dialog");
      await remove.getByRole("button", { name: "Cancel" }).click();
      await remove.waitFor({ state: "hidden" });
      await page.getByRole("button", { name: "Delete…" }).click();
      await remove.getByRole("button", { name: "Delete for good" }).click();
      await page.waitForURL(`${url}/studies`);
      assert.equal(await page.getByText("alpha, renamed").count(), 0);

      await countRedraws(page);
      await page.goto(`${url}/studies/new`);
      await redrawn(page, () => page.getByLabel("Pruner").selectOption("patient"));
      await page.getByLabel("Epochs without gain").fill("3");
      await redrawn(page, () => page.getByLabel("After patience").selectOption("hyperband"));
      await page.getByLabel("Max resource").fill("9");
      await redrawn(page, () => page.getByLabel("Max resource").blur());
      const preview = await page.locator("pre").filter({ hasText: '"pruner"' }).textContent();
      const file = JSON.parse(preview!);
      assert.deepEqual(file.pruner, {
        type: "patient",
        patience: 3,
        wrapped: { type: "hyperband", maxResource: 9 },
      });
      await screenshot(page, "study-form-patient-pruner");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.shutdown();
      await service.shutdown();
      close();
    }
  },
});
