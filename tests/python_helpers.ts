/**
 * Python for the tests of `export/`: which interpreter has the modules a test needs, and running
 * it. The interpreter first on PATH may be a pyenv or venv one without Debian's packages
 * (`python3-torch`, `python3-onnx`, `python3-optuna` install into /usr/bin/python3), so each
 * candidate is asked in turn: `AJUSTE_PYTHON` when set, then `python3`, then /usr/bin/python3.
 *
 * @module
 */

const CANDIDATES = [Deno.env.get("AJUSTE_PYTHON"), "python3", "/usr/bin/python3"]
  .filter((command): command is string => command !== undefined && command !== "");

/** What a Python process printed, and how it ended. */
export interface PythonResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `python args…` with `stdin` fed in, to the end. */
export async function runPython(
  python: string,
  args: string[],
  options: { stdin?: string; cwd?: string } = {},
): Promise<PythonResult> {
  const child = new Deno.Command(python, {
    args,
    cwd: options.cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(options.stdin ?? ""));
  await writer.close();
  const output = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/**
 * The first candidate interpreter that imports every module of `modules`, or null when none does
 * (or there is no Python at all).
 */
export async function findPython(modules: string[] = []): Promise<string | null> {
  const probe = modules.map((name) => `import ${name}`).join("\n");
  for (const python of CANDIDATES) {
    try {
      const result = await runPython(python, ["-c", probe || "pass"]);
      if (result.code === 0) return python;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return null;
}

/** Throws with Python's own message when a source of `sources` (by name) is not valid Python. */
export async function assertParses(python: string, sources: Record<string, string>): Promise<void> {
  const check = [
    "import ast, json, sys",
    "for name, source in json.load(sys.stdin).items():",
    "    try:",
    "        ast.parse(source, filename=name)",
    "    except SyntaxError as error:",
    "        sys.exit(f'{name} is not valid Python: {error}')",
  ].join("\n");
  const result = await runPython(python, ["-c", check], { stdin: JSON.stringify(sources) });
  if (result.code !== 0) throw new Error(result.stderr);
}
