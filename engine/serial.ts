/**
 * Runs a session's operations one after another in the order they were called, whatever their
 * callers await: a trainer can queue epoch N + 1 before it awaits epoch N, and an evaluation
 * called after both sees the state they leave.
 *
 * @module
 */

export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `operation` once every operation queued before it has settled; a failure stays its own. */
  run<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(operation);
    this.#tail = result.catch(() => {});
    return result;
  }
}
