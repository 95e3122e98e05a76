/**
 * Two `LibsqlStorage` workers on two connections to one temporary database, reading one clock a
 * test moves on: the setting of the libSQL storage's tests (`db/tuner_storage_test.ts` and the
 * tests beside the modules it delegates to).
 *
 * @module
 */

import { type Db, openDb } from "../db/client.ts";
import { LibsqlStorage } from "../db/tuner_storage.ts";

/** A clock that stands still until a test moves it on. */
export class TestClock {
  #ms = Date.now();
  now = () => new Date(this.#ms);
  advance(seconds: number): void {
    this.#ms += seconds * 1000;
  }
}

/** Two workers, "a" and "b", on two connections to one database, reading one `clock`. */
export async function withStorages(
  fn: (a: LibsqlStorage, b: LibsqlStorage, clock: TestClock, db: Db) => Promise<void>,
  options: { gracePeriodSeconds?: number } = {},
) {
  const dir = await Deno.makeTempDir();
  const url = `file:${dir}/tune.db`;
  const first = await openDb({ url });
  const second = await openDb({ url });
  const clock = new TestClock();
  try {
    await fn(
      new LibsqlStorage(first.db, { worker: "a", now: clock.now, ...options }),
      new LibsqlStorage(second.db, { worker: "b", now: clock.now, ...options }),
      clock,
      first.db,
    );
  } finally {
    first.close();
    second.close();
    await Deno.remove(dir, { recursive: true });
  }
}
