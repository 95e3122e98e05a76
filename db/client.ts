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
  const client = createClient({ url, authToken });
  if (url.startsWith("file:")) {
    // WAL lets the dashboard read while a run writes; foreign keys make deletes cascade.
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("PRAGMA busy_timeout = 5000");
  }
  await client.execute("PRAGMA foreign_keys = ON");
  const db = drizzle(client, { schema, casing: "snake_case" });
  await migrate(db, { migrationsFolder });
  return { db, close: () => client.close() };
}
