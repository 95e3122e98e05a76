import assert from "node:assert/strict";

const root = new URL("..", import.meta.url);

Deno.test("the test task's leak check fails a test, and a module, that leave handles open", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--preload", "tests/leak_check.ts", "tests/fixtures/leaky_module.ts"],
    cwd: root,
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  assert.notEqual(output.code, 0, text);
  assert.match(text, /closes what it opens \.\.\. ok/);
  assert.match(text, /leaves a browser open \.\.\. FAILED/);
  assert.match(text, /The test left open what it opened: browser \(never closed\)/);
  assert.match(
    text,
    /The module left open after its last test: database client \(opened at the top level\), browser \(never closed\)/,
  );
});
