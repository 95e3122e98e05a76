/**
 * Opens the libSQL database (a `file:` path, an `http://` sqld server or Turso) and applies the
 * generated migrations before anything else touches it.
 *
 * @module
 */

import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import * as schema from "./schema.ts";

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
  const client = createClient({ url, authToken, timeout: BUSY_TIMEOUT_MS });
  // WAL (a property of the file, so once is enough) lets readers work while a run writes.
  if (url.startsWith("file:")) await client.execute("PRAGMA journal_mode = WAL");
  const db = drizzle(client, { schema, casing: "snake_case" });
  await migrate(db, { migrationsFolder });
  return { db, close: () => client.close() };
}
