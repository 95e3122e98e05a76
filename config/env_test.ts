import assert from "node:assert/strict";
import {
  ConfigError,
  databaseDir,
  DEFAULT_DB,
  displayDatabase,
  ensureRuntimeDir,
  HelpRequested,
  isLoopbackHost,
  parseServerEnv,
  prepareDatabaseDir,
} from "./env.ts";

Deno.test("parseServerEnv() defaults to 127.0.0.1:8000 and file:data/ajuste.db, training", () => {
  const { limits, ...rest } = parseServerEnv([], {});
  assert.deepEqual(rest, {
    host: "127.0.0.1",
    port: 8000,
    db: DEFAULT_DB,
    dbToken: undefined,
    token: undefined,
    train: true,
  });
  assert.equal(limits.leaseSeconds, 15);
  assert.equal(limits.maxQueued, 1000);
  assert.equal(limits.maxDatasetBytes, 2 ** 30);
});

Deno.test("parseServerEnv() turns training off with --no-train or AJUSTE_NO_TRAIN", () => {
  assert.equal(parseServerEnv(["--no-train"], {}).train, false);
  assert.equal(parseServerEnv([], { AJUSTE_NO_TRAIN: "1" }).train, false);
  assert.equal(parseServerEnv([], { AJUSTE_NO_TRAIN: "" }).train, true);
});

Deno.test("parseServerEnv() reads the job limits and names a bad one", () => {
  const { limits } = parseServerEnv([], {
    AJUSTE_MEMORY_BUDGET: "2GiB",
    AJUSTE_MAX_DATASET_BYTES: "512MB",
    AJUSTE_MAX_QUEUED: "5",
    AJUSTE_LEASE_SECONDS: "3",
  });
  assert.equal(limits.memoryBudgetBytes, 2 * 2 ** 30);
  assert.equal(limits.maxDatasetBytes, 512e6);
  assert.equal(limits.maxQueued, 5);
  assert.equal(limits.leaseSeconds, 3);
  assert.throws(
    () => parseServerEnv([], { AJUSTE_MEMORY_BUDGET: "lots" }),
    /AJUSTE_MEMORY_BUDGET must be a size such as 8GiB, 512MB or a number of bytes, got "lots"/,
  );
  assert.throws(
    () => parseServerEnv([], { AJUSTE_LEASE_SECONDS: "0" }),
    /AJUSTE_LEASE_SECONDS must be a whole number from 1 to 3600, got "0"/,
  );
});

Deno.test("parseServerEnv() prefers flags over environment variables", () => {
  const env = { PORT: "7000", AJUSTE_DB: "file:/tmp/env.db", AJUSTE_DB_TOKEN: "secret" };
  assert.equal(parseServerEnv([], env).port, 7000);
  assert.equal(parseServerEnv([], env).dbToken, "secret");
  const config = parseServerEnv(["--port", "9000", "--db=http://127.0.0.1:8080"], env);
  assert.equal(config.port, 9000);
  assert.equal(config.db, "http://127.0.0.1:8080");
});

Deno.test("parseServerEnv() accepts flags after a leading -- as deno task forwards them", () => {
  assert.equal(parseServerEnv(["--", "--port", "9000"], {}).port, 9000);
});

Deno.test("parseServerEnv() rejects a bad port naming the value and the range", () => {
  for (const port of ["abc", "-1", "65536", "80.5", ""]) {
    assert.throws(
      () => parseServerEnv([`--port=${port}`], {}),
      (error: Error) =>
        error instanceof ConfigError &&
        error.message.includes(`got "${port}"`) && error.message.includes("0 to 65535"),
    );
  }
  assert.throws(() => parseServerEnv([], { PORT: "http" }), /PORT\), got "http"/);
});

Deno.test("parseServerEnv() rejects unknown flags and database URLs it cannot open", () => {
  assert.throws(() => parseServerEnv(["--prot", "1"], {}), ConfigError);
  assert.throws(() => parseServerEnv(["--db", "postgres://x"], {}), /got "postgres:\/\/x"/);
  assert.throws(() => parseServerEnv(["--help"], {}), HelpRequested);
});

Deno.test("parseServerEnv() refuses a non-loopback host without AJUSTE_TOKEN", () => {
  assert.throws(
    () => parseServerEnv(["--host", "0.0.0.0"], {}),
    /Refusing to listen on "0.0.0.0" without AJUSTE_TOKEN/,
  );
  const config = parseServerEnv(["--host", "0.0.0.0"], { AJUSTE_TOKEN: "t0ken" });
  assert.equal(config.token, "t0ken");
  assert.equal(parseServerEnv(["--host", "localhost"], {}).host, "localhost");
});

Deno.test("isLoopbackHost() accepts only addresses of this machine", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) {
    assert.ok(isLoopbackHost(host), host);
  }
  for (const host of ["0.0.0.0", "::", "192.168.1.2", "example.com", "127.0.0.1.nip.io"]) {
    assert.ok(!isLoopbackHost(host), host);
  }
});

Deno.test("databaseDir() finds the folder of file: databases only", () => {
  assert.equal(databaseDir("file:data/ajuste.db"), "data");
  assert.equal(databaseDir("file:///var/lib/ajuste/a.db"), "/var/lib/ajuste");
  assert.equal(databaseDir("file::memory:"), null);
  assert.equal(databaseDir("libsql://db.example.com"), null);
  assert.equal(displayDatabase("libsql://db.example.com?authToken=x"), "libsql://db.example.com");
});

Deno.test("prepareDatabaseDir() creates the missing folder of a file: database", async () => {
  const root = await Deno.makeTempDir();
  try {
    await prepareDatabaseDir(`file://${root}/nested/dir/ajuste.db`);
    assert.ok((await Deno.stat(`${root}/nested/dir`)).isDirectory);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("ensureRuntimeDir() gives Mesa a private XDG_RUNTIME_DIR when none is set", () => {
  const before = Deno.env.get("XDG_RUNTIME_DIR");
  Deno.env.delete("XDG_RUNTIME_DIR");
  try {
    ensureRuntimeDir();
    const dir = Deno.env.get("XDG_RUNTIME_DIR")!;
    const info = Deno.statSync(dir);
    assert.ok(info.isDirectory);
    assert.equal(info.mode! & 0o777, 0o700);
    Deno.env.set("XDG_RUNTIME_DIR", "/run/user/1000");
    ensureRuntimeDir();
    assert.equal(Deno.env.get("XDG_RUNTIME_DIR"), "/run/user/1000", "a set one is kept");
  } finally {
    if (before === undefined) Deno.env.delete("XDG_RUNTIME_DIR");
    else Deno.env.set("XDG_RUNTIME_DIR", before);
  }
});
