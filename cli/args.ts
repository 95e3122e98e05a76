/**
 * Command-line parsing shared by the CLIs: commander with usage errors (unknown option, a flag's
 * bad value) exiting 2 like every other input error, and whole-number flags that name the flag.
 *
 * @module
 */

import { type Command, CommanderError, InvalidArgumentError } from "commander";
import { databaseUrlIssue } from "../config/env.ts";

/** Parses `args` with `program`; help exits 0, a usage error (already printed) exits 2. */
export function parseArgs(program: Command, name: string, args: string[]): void {
  program.exitOverride();
  try {
    program.parse(["deno", name, ...args]);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    Deno.exit(error.exitCode === 0 ? 0 : 2);
  }
}

/** A parser for a whole-number flag value of at least `min`. */
export function wholeNumber(min: number): (raw: string) => number {
  return (raw) => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min) {
      throw new InvalidArgumentError(`expected a whole number ≥ ${min}, got "${raw}"`);
    }
    return n;
  };
}

/**
 * `--db` (or `AJUSTE_DB`, its default) checked as the server checks it, before any connection:
 * a usage error (exit 2) saying what the URL must look like instead of libSQL's stack trace.
 */
export function checkedDatabaseUrl(name: string, url: string): string {
  const issue = databaseUrlIssue(url.trim());
  if (issue === null) return url.trim();
  console.error(`${name}: ${issue}`);
  Deno.exit(2);
}
