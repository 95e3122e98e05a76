import assert from "node:assert/strict";
import { openDb } from "./client.ts";

Deno.test("an in-memory database lets statements wait for an open transaction instead of failing", async () => {
  const { db, close } = await openDb({ url: ":memory:" });
  try {
    const client = db.$client;
    await client.execute("create table t (x integer)");
    const transaction = await client.transaction("write");
    await transaction.execute("insert into t values (1)");
    // Read while the transaction holds the one connection: it waits for the commit.
    const read = client.execute("select count(*) as n from t");
    await transaction.execute("insert into t values (2)");
    await transaction.commit();
    assert.equal(Number((await read).rows[0].n), 2);
    // A rolled back transaction gives the turn back too.
    const undone = await client.transaction("write");
    await undone.execute("insert into t values (3)");
    await undone.rollback();
    assert.equal(Number((await client.execute("select count(*) as n from t")).rows[0].n), 2);
  } finally {
    close();
  }
});
