/**
 * An in-memory libSQL database has a single connection: while a transaction holds it, any
 * other statement fails with TRANSACTION_ACTIVE rather than waiting. A job queue polls, claims
 * and writes from several tasks at once, so for such a database every statement, batch and
 * transaction here takes its turn: a transaction holds the turn from its start until it commits,
 * rolls back or closes. (A `file:` database opens a connection per transaction and needs none
 * of this; other processes wait on SQLite's own lock.)
 *
 * @module
 */

import type { Client, Transaction } from "@libsql/client";

/** Whether libSQL gives `url` a single connection. */
export function isSingleConnection(url: string): boolean {
  return url === ":memory:" || url === "file::memory:" || url.startsWith("file::memory:?");
}

const TURN_TAKING = new Set(["execute", "batch", "executeMultiple", "migrate"]);
const ENDING = new Set(["commit", "rollback", "close"]);

/** `client`, its statements and transactions run one at a time. */
export function oneAtATime(client: Client): Client {
  let tail: Promise<void> = Promise.resolve();
  const turn = (): Promise<() => void> => {
    let release!: () => void;
    const previous = tail;
    tail = new Promise<void>((resolve) => release = resolve);
    return previous.then(() => release);
  };
  return new Proxy(client, {
    // The client keeps private fields, so its methods and getters must see the client itself.
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property === "transaction") {
        return async (...args: unknown[]) => {
          const release = await turn();
          try {
            return holdUntilEnd(await value.apply(target, args), release);
          } catch (error) {
            release();
            throw error;
          }
        };
      }
      if (!TURN_TAKING.has(String(property))) return value.bind(target);
      return async (...args: unknown[]) => {
        const release = await turn();
        try {
          return await value.apply(target, args);
        } finally {
          release();
        }
      };
    },
  });
}

/** `transaction`, giving the turn back once it commits, rolls back or closes. */
function holdUntilEnd(transaction: Transaction, release: () => void): Transaction {
  let released = false;
  const done = () => {
    if (!released) release();
    released = true;
  };
  return new Proxy(transaction, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (!ENDING.has(String(property))) return value.bind(target);
      return (...args: unknown[]) => {
        try {
          const result = value.apply(target, args);
          if (result instanceof Promise) return result.finally(done);
          done();
          return result;
        } catch (error) {
          done();
          throw error;
        }
      };
    },
  });
}
