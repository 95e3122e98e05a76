/**
 * Every command-line entry point checks `--db` (and `AJUSTE_DB`) as the server does before it
 * connects: a bare path is a usage error that says how to write it, not libSQL's stack trace.
 */

import assert from "node:assert/strict";

const root = new URL("..", import.meta.url);

async function run(script: string, args: string[], env: Record<string, string> = {}) {
  const dir = await Deno.makeTempDir({ prefix: "ajuste-db-url-" });
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, ...args],
      cwd: root,
      env: { NO_COLOR: "1", XDG_RUNTIME_DIR: dir, ...env },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const cases: [string, string[], Record<string, string>][] = [
  ["cli/tune.ts", ["--study", "s", "--db", "/tmp/ajuste-no-scheme.db"], {}],
  ["cli/work.ts", [], { AJUSTE_DB: "/tmp/ajuste-no-scheme.db" }],
  ["cli/train.ts", ["--db", "/tmp/ajuste-no-scheme.db"], {}],
];

for (const [script, args, env] of cases) {
  Deno.test(`${script}: a database path without file: is a usage error naming the fix`, async () => {
    const { code, stderr } = await run(script, args, env);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /Database URL must start with file:/);
    assert.match(stderr, /write "file:\/tmp\/ajuste-no-scheme\.db"/);
    assert.doesNotMatch(stderr, /LibsqlError|at async|\n\s+at /, "no stack trace");
  });
}
