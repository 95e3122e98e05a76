/**
 * Child processes for tests (servers, tune workers, sqld), counted as open until they exit so
 * `tests/leak_check.ts` fails a test that leaves one running.
 *
 * @module
 */

import { trackHandle } from "../engine/open_handles.ts";

/** Starts `command`; it counts as an open handle until it has exited. */
export function spawnChild(command: Deno.Command, label: string): Deno.ChildProcess {
  const child = command.spawn();
  child.status.finally(trackHandle("process", `${label} (pid ${child.pid})`));
  return child;
}

/** A loopback port nobody listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

export interface WatchedOutput {
  /** Resolves once `pattern` has appeared in the child's stderr. */
  untilStderr(pattern: RegExp): Promise<void>;
  /** The exit code and everything the child wrote, once it has exited. */
  finished: Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Reads a child's piped stdout and stderr as they come, so a test can wait on what it says. */
export function watchOutput(child: Deno.ChildProcess): WatchedOutput {
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const settle = () => {
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const read = async (stream: ReadableStream<Uint8Array>, append: (text: string) => void) => {
    const decoder = new TextDecoder();
    for await (const bytes of stream) {
      append(decoder.decode(bytes, { stream: true }));
      settle();
    }
  };
  const finished = Promise.all([
    read(child.stdout, (text) => stdout += text),
    read(child.stderr, (text) => stderr += text),
    child.status,
  ]).then(([, , status]) => ({ code: status.code, stdout, stderr }));
  return {
    untilStderr(pattern) {
      if (pattern.test(stderr)) return Promise.resolve();
      return new Promise((resolve) => {
        waiters.push({ pattern, resolve });
      });
    },
    finished,
  };
}

/** A `deno run -A` child of the project, its output watched. */
export interface DenoProcess {
  child: Deno.ChildProcess;
  output: WatchedOutput;
}

const ROOT = new URL("..", import.meta.url);

/** Runs `deno run -A <args>` in the project folder with `env` added. */
export function spawnDeno(
  args: string[],
  label: string,
  env: Record<string, string> = {},
): DenoProcess {
  const child = spawnChild(
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ...args],
      cwd: ROOT,
      env: { NO_COLOR: "1", XDG_RUNTIME_DIR: "/tmp", ...env },
      stdout: "piped",
      stderr: "piped",
    }),
    label,
  );
  return { child, output: watchOutput(child) };
}

/** Kills `proc` (waking it first, should it be frozen) and waits for it to end. */
export async function killProcess(proc: DenoProcess | null): Promise<void> {
  if (!proc) return;
  for (const signal of ["SIGCONT", "SIGKILL"] as const) {
    try {
      proc.child.kill(signal);
    } catch {
      // already gone
    }
  }
  await proc.output.finished;
}

/** Resolves once a server answers `GET /api/health` at `url`. */
export async function untilHealthy(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/api/health`);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`Timed out waiting for a server to listen at ${url}`);
}
