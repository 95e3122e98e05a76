/**
 * Reading the engine's environment variables without prompting: the engine runs in processes
 * (and browsers) that may not be allowed to read them, and then takes their defaults.
 *
 * @module
 */

/** An environment variable, or undefined where it is unset or may not be read. */
export function readEnv(name: string): string | undefined {
  if (typeof Deno === "undefined") return undefined;
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
    return undefined;
  }
  return Deno.env.get(name);
}
