/**
 * One writer at a time per process. libSQL's local driver is synchronous: a statement that waits
 * for SQLite's write lock blocks the whole thread, so if another connection of this same process
 * holds an open transaction, that transaction can never finish and both stall until the busy
 * timeout. Queueing this process's writes here avoids that; other processes still wait on
 * SQLite's own lock (the busy timeout in `client.ts`). Reads (WAL) never wait.
 *
 * @module
 */

import { noteOutage, noteRecovery, retrying } from "./retry.ts";

let tail: Promise<unknown> = Promise.resolve();

/**
 * Runs `work` after every write queued before it, retried as a whole if the database drops out
 * midway (so a transaction is never half-applied twice). Not reentrant: never nest two.
 */
export function withWriteLock<T>(work: () => Promise<T>): Promise<T> {
  const attempt = () =>
    retrying(work, { onRetry: noteOutage }).then((result) => {
      noteRecovery();
      return result;
    });
  const run = tail.then(attempt, attempt);
  tail = run.catch(() => {});
  return run;
}
