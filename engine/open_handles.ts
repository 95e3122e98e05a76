/**
 * What this thread holds open outside the JavaScript heap — GPU devices, engine workers,
 * database clients, servers, browsers, child processes, and job services polling a database —
 * from the moment it is opened until it is closed. Deno's sanitizers see none of these (they are not Deno resources), yet one left
 * open when a test ends keeps native threads running into process exit, where they race the
 * libraries' destructors. `tests/leak_check.ts` fails a test that leaves one open.
 *
 * @module
 */

export type HandleKind =
  | "GPU device"
  | "engine worker"
  | "database client"
  | "server"
  | "browser"
  | "process"
  | "job service";

export interface OpenHandle {
  id: number;
  kind: HandleKind;
  /** What it is, for the leak message ("file:/tmp/x/ajuste.db", "http://127.0.0.1:4100"). */
  label: string;
}

const open = new Map<number, OpenHandle>();
let nextId = 1;

/** Records `kind` as open; the function returned records it closed (calling it again is a no-op). */
export function trackHandle(kind: HandleKind, label: string): () => void {
  const id = nextId++;
  open.set(id, { id, kind, label });
  return () => void open.delete(id);
}

/** Handles opened in this thread and not closed yet, oldest first. */
export function openHandles(): OpenHandle[] {
  return [...open.values()];
}
