/**
 * Opens the libSQL database (a `file:` path, an `http://` sqld server or Turso) and applies the
 * generated migrations before anything else touches it.
 *
 * @module
 */

import { type Client, createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { describeError, noteOutage, noteRecovery, retrying } from "./retry.ts";
import * as schema from "./schema.ts";
import { isSingleConnection, oneAtATime } from "./single_connection.ts";
import { trackHandle } from "../engine/open_handles.ts";

export type Db = ReturnType<typeof drizzle<typeof schema>>;

export interface OpenDbOptions {
  url: string;
  authToken?: string;
}

const BUSY_TIMEOUT_MS = 15_000;

const migrationsFolder = new URL("./migrations", import.meta.url).pathname;

/** Opens the database, creating the folder of a `file:` database, and migrates it. */
export async function openDb(
  { url, authToken }: OpenDbOptions,
): Promise<{ db: Db; close(): void }> {
  if (url.startsWith("file:")) {
    const path = url.slice("file:".length);
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    if (dir) await Deno.mkdir(dir, { recursive: true });
  }
  // `timeout` is SQLite's busy timeout on every pooled connection: writers (tune workers, the
  // server) queue for the lock instead of failing with SQLITE_BUSY.
  const created = createClient({ url, authToken, timeout: BUSY_TIMEOUT_MS });
  const client = withRetries(isSingleConnection(url) ? oneAtATime(created) : created);
  const release = trackHandle("database client", url);
  const close = () => {
    client.close();
    release();
  };
  const db = drizzle(client, { schema, casing: "snake_case" });
  try {
    // WAL (a property of the file, so once is enough) lets readers work while a run writes.
    // With WAL, synchronous NORMAL (per connection) syncs at checkpoints, not at each commit:
    // still consistent and crash-safe for processes (a killed trainer loses nothing committed),
    // only a power cut may take back the last commits. Each commit's fsync cost ~5 ms here,
    // and a study trial makes a dozen.
    if (url.startsWith("file:")) {
      // 16 KiB pages (taken only by a database not yet created; SQLite's default is 4 KiB): a
      // trial's weights, a few MB, went in ~35% quicker so here, and small writes no slower.
      await client.execute("PRAGMA page_size = 16384");
      await client.execute("PRAGMA journal_mode = WAL");
      await client.execute("PRAGMA synchronous = NORMAL");
    }
    await migrateOnce(db);
  } catch (error) {
    close();
    throw error;
  }
  return { db, close };
}

/**
 * Applies pending migrations, tolerating another process that migrates the same fresh database
 * at the same moment: drizzle reads the applied list, then applies the rest in one transaction,
 * so the slower of two processes fails with "already exists" and nothing of its batch is kept.
 * Reading the list again then finds the other's migrations applied.
 */
async function migrateOnce(db: Db, attempts = 5): Promise<void> {
  for (let attempt = 1;; attempt++) {
    try {
      return await migrate(db, { migrationsFolder });
    } catch (error) {
      if (
        attempt >= attempts || !/already exists|duplicate column name/.test(describeError(error))
      ) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/** Client calls that are safe to repeat as a whole when the server blips (see `retry.ts`). */
const RETRIED = new Set(["execute", "batch", "migrate", "executeMultiple", "transaction"]);

/**
 * The client with each statement (or batch, or transaction start) retried through a server
 * restart; a transaction cut off midway is retried as a unit by `withWriteLock`.
 */
function withRetries(client: Client): Client {
  return new Proxy(client, {
    // The client keeps private fields, so its methods and getters must see the client itself.
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (!RETRIED.has(String(property))) return value.bind(target);
      return async (...args: unknown[]) => {
        const result = await retrying(() => value.apply(target, args), { onRetry: noteOutage });
        noteRecovery();
        return result;
      };
    },
  });
}
