/**
 * A study's trials as a table to download (`GET /api/studies/:id/trials.csv` and `.json`,
 * `deno task tune --csv FILE`): the columns of Optuna's `trials_dataframe()`, see
 * `tuner/trials_table.ts`. CSV is written by csv-stringify (RFC 4180 quoting).
 *
 * @module
 */

import { stringify } from "csv-stringify/sync";
import { type TrialsTable, trialsTable } from "../tuner/trials_table.ts";
import type { Db } from "./client.ts";
import { LibsqlStorage } from "./tuner_storage.ts";

/** Every trial of study `studyId`, whichever worker ran it, ordered by number. */
export async function studyTrialsTable(db: Db, studyId: number): Promise<TrialsTable> {
  return trialsTable(await new LibsqlStorage(db).getAllTrials(studyId));
}

/**
 * The table as CSV with a header line. Empty cells are nulls; booleans are true/false (not
 * csv-stringify's 1 and empty); objects and arrays are JSON; numbers as JavaScript prints them
 * (full precision, so a value reads back exactly).
 */
export function trialsCsv(table: TrialsTable): string {
  return stringify(table.rows, {
    header: true,
    columns: table.columns,
    cast: { boolean: (value) => String(value) },
  });
}
