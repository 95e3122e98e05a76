/**
 * Who trains a run: `host:pid`, and whether such a process is still alive.
 *
 * @module
 */

export const thisProcess = `${Deno.hostname()}:${Deno.pid}`;

/** Alive or dead for a process on this host (Linux `/proc`); null for another host's. */
export function isProcessAlive(owner: string): boolean | null {
  const separator = owner.lastIndexOf(":");
  const host = owner.slice(0, separator);
  const pid = Number(owner.slice(separator + 1));
  if (host !== Deno.hostname() || !Number.isInteger(pid)) return null;
  if (pid === Deno.pid) return true;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    return null;
  }
}
