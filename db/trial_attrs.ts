/**
 * Setting one key of a trial's user or system attributes in the libSQL storage
 * (`tuner_storage.ts`): one `json_set` statement, or, for what `json_set` cannot say, a
 * compare-and-set merge read again until it holds.
 *
 * @module
 */

import { sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { withWriteLock } from "./write_lock.ts";
import { refusal, whileOpen } from "./trial_conditions.ts";
import { trials } from "./schema.ts";

/** Sets `key` of the trial's `column` to `value`; `undefined` removes the key. */
export async function setTrialAttr(
  db: Db,
  trialId: number,
  column: "userAttrs" | "systemAttrs",
  key: string,
  value: unknown,
): Promise<void> {
  const json = value === undefined ? undefined : JSON.stringify(value);
  const name = column === "userAttrs" ? sql`user_attrs` : sql`system_attrs`;
  if (json === undefined || /["\\]/.test(key)) {
    // What json_set cannot say (a key SQLite's JSON path cannot quote, a value JSON drops):
    // merged here and written only if the column still holds the text that was read (compare
    // and set), so a write that came between is read again rather than lost.
    for (;;) {
      const [row] = await db.select({ attrs: sql<string>`${name}` }).from(trials)
        .where(whileOpen(trialId));
      if (!row) throw await refusal(db, trialId);
      const merged = JSON.stringify({ ...JSON.parse(row.attrs), [key]: value });
      const written = await withWriteLock(() =>
        db.run(sql`update ${trials} set ${name} = ${merged}
          where ${whileOpen(trialId)} and ${name} = ${row.attrs}`)
      );
      if (written.rowsAffected > 0) return;
    }
  }
  // One statement, as `LibsqlStorage.setTrialIntermediateValue`: no sqld lock held across round trips.
  const path = `$."${key}"`;
  const written = await withWriteLock(() =>
    db.run(sql`
      update ${trials} set ${name} = json_set(${name}, ${path}, json(${json}))
      where ${whileOpen(trialId)}`)
  );
  if (written.rowsAffected === 0) throw await refusal(db, trialId);
}
