/**
 * A run's settings as a table grouped like the New run form, values left at their default
 * dimmed and marked, the raw JSON one click away; and the same rows side by side on the compare
 * page, with the settings that differ highlighted.
 *
 * @module
 */

import type { RunConfig } from "../../engine/spec.ts";
import { type ComparedRow, comparedRows, type SettingRow, settingRows } from "./settings_rows.ts";

function Value(props: { row: SettingRow | undefined }) {
  const { row } = props;
  if (!row) return <td class="muted">—</td>;
  return (
    <td class={row.atDefault ? "at-default" : undefined}>
      {row.text}
      {row.atDefault && <small class="default-mark">default</small>}
    </td>
  );
}

function GroupRow(props: { name: string; columns: number }) {
  return (
    <tr class="group">
      <th scope="rowgroup" colspan={props.columns}>{props.name}</th>
    </tr>
  );
}

/** Rows with a group heading before the first row of each group. */
function grouped<T extends { group: string }>(rows: T[], columns: number, row: (r: T) => unknown) {
  return rows.map((r, i) => (
    <>
      {r.group !== rows[i - 1]?.group && <GroupRow name={r.group} columns={columns} />}
      {row(r)}
    </>
  ));
}

export function SettingsCard(props: { config: RunConfig }) {
  const rows = settingRows(props.config);
  return (
    <section class="card settings">
      <h2>Settings</h2>
      <div class="table-scroll">
        <table class="settings">
          <caption class="visually-hidden">
            The run's settings, as the New run form names them
          </caption>
          <tbody>
            {grouped(rows, 2, (row) => (
              <tr>
                <th scope="row">{row.label}</th>
                <Value row={row} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details class="config-details">
        <summary>Config as JSON</summary>
        <pre>{JSON.stringify(props.config, null, 2)}</pre>
      </details>
    </section>
  );
}

/** The settings rows of the compare table: every setting, those that differ highlighted. */
export function ComparedSettingRows(props: { configs: RunConfig[] }) {
  const rows = comparedRows(props.configs);
  const columns = props.configs.length + 1;
  const differing = rows.filter((row) => row.differs).length;
  return (
    <>
      <tr class="group">
        <th scope="rowgroup" colspan={columns}>
          Settings · {differing === 0
            ? "all the same"
            : `${differing} ${differing === 1 ? "differs" : "differ"}`}
        </th>
      </tr>
      {grouped(rows, columns, (row: ComparedRow) => (
        <tr class={row.differs ? "differs" : undefined}>
          <th scope="row">
            {row.label}
            {row.differs && <span class="visually-hidden">(differs)</span>}
          </th>
          {
            // deno-lint-ignore jsx-key -- server-rendered once; hono would print a key attribute
            row.cells.map((cell) => <Value row={cell} />)
          }
        </tr>
      ))}
    </>
  );
}
