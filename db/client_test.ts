import assert from "node:assert/strict";
import { openDb } from "./client.ts";

const root = new URL("..", import.meta.url).pathname;

/** A child process that opens `url` at wall-clock time `at` (so several start together). */
function opener(url: string, at: number) {
  const code = `
    import { openDb } from "${new URL("./client.ts", import.meta.url).href}";
    await new Promise((r) => setTimeout(r, ${at} - Date.now()));
    const { close } = await openDb({ url: ${JSON.stringify(url)} });
    close();`;
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", `${root}deno.json`, code],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
}

Deno.test("several processes opening one fresh database at once all migrate it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ajuste-db-" });
  try {
    const url = `file:${dir}/fresh.db`;
    const at = Date.now() + 2000; // past the children's start-up, so their migrations collide
    const results = await Promise.all([1, 2, 3].map(() => opener(url, at)));
    for (const { code, stderr } of results) {
      assert.equal(code, 0, new TextDecoder().decode(stderr));
    }
    const { db, close } = await openDb({ url });
    try {
      const applied = await db.$client.execute("SELECT count(*) AS n FROM __drizzle_migrations");
      const files = [...Deno.readDirSync(`${root}db/migrations`)].filter((f) =>
        f.name.endsWith(".sql")
      );
      assert.equal(Number(applied.rows[0].n), files.length, "each migration applied once");
    } finally {
      close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
