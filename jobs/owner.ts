/**
 * Who this process is in job leases and trial claims: `host:pid:token`. The random token tells
 * apart two processes that got the same pid (a restart, a container), so one never passes for
 * the other; whether a process is alive is never guessed from its pid, only from its lease.
 *
 * @module
 */

export const processId = `${Deno.hostname()}:${Deno.pid}:${
  crypto.getRandomValues(new Uint32Array(1))[0].toString(36)
}`;
