/**
 * The study page's own actions: download the trials table, rename, delete. Rename and Delete
 * open a `<dialog>` through invoker commands (`commandfor`/`command`, no script; every current
 * browser has them). The same forms are pages too (`/studies/:id/rename`, `/studies/:id/delete`),
 * where a refused post comes back with the reason beside the field.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import type { FormState } from "../shell/form_fields.tsx";
import { TextField } from "../shell/form_fields.tsx";
import { Layout } from "../shell/layout.tsx";

/** What the actions need to know of a study. */
export interface AdminStudy {
  id: number;
  name: string;
  /** How many trials (and so trial runs, at most) a delete removes. */
  trials: number;
  /** Followed by workers: renaming and deleting wait until it is stopped. */
  active: boolean;
}

const RENAME_DIALOG = "rename-study";
const DELETE_DIALOG = "delete-study";

export function StudyAdminActions(props: { study: AdminStudy }) {
  const { study } = props;
  const busy = study.active ? "Stop the study first" : undefined;
  return (
    <>
      <a
        class="button secondary"
        href={`/api/studies/${study.id}/trials.csv`}
        download
        title="One row per trial: number, value, times, duration, params, user attrs, state"
      >
        Trials as CSV
      </a>
      <OpenDialog dialog={RENAME_DIALOG} class="secondary" busy={busy}>
        Rename…
      </OpenDialog>
      <OpenDialog dialog={DELETE_DIALOG} class="danger" busy={busy}>
        Delete…
      </OpenDialog>
      <dialog id={RENAME_DIALOG} class="card" aria-labelledby={`${RENAME_DIALOG}-title`}>
        <RenameForm study={study} cancel={<CloseButton dialog={RENAME_DIALOG} />} />
      </dialog>
      <dialog id={DELETE_DIALOG} class="card" aria-labelledby={`${DELETE_DIALOG}-title`}>
        <DeleteForm study={study} cancel={<CloseButton dialog={DELETE_DIALOG} />} />
      </dialog>
    </>
  );
}

/**
 * A button that opens `dialog` by invoker command. It must be `type="button"` and outside any
 * form: Chromium ignores the command of a button that would submit a form.
 */
function OpenDialog(props: { dialog: string; class: string; busy?: string; children: Child }) {
  return (
    <button
      type="button"
      class={props.class}
      commandfor={props.dialog}
      command="show-modal"
      disabled={props.busy !== undefined}
      title={props.busy}
    >
      {props.children}
    </button>
  );
}

function CloseButton(props: { dialog: string }) {
  return (
    <button type="button" class="secondary" commandfor={props.dialog} command="close">
      Cancel
    </button>
  );
}

function RenameForm(props: { study: AdminStudy; state?: FormState; cancel: Child }) {
  const { study } = props;
  const state = props.state ?? { values: { name: study.name }, issues: [] };
  return (
    <form method="post" action={`/studies/${study.id}/rename`}>
      <h2 id={`${RENAME_DIALOG}-title`}>Rename study #{study.id}</h2>
      <TextField
        state={state}
        name="name"
        label="New name"
        help="CLI workers join the study by this name from now on."
      />
      <div class="row">
        <button type="submit" class="primary">Rename</button>
        {props.cancel}
      </div>
    </form>
  );
}

function DeleteForm(props: { study: AdminStudy; refusal?: string; cancel: Child }) {
  const { study } = props;
  const trials = study.trials === 1 ? "its trial" : `its ${study.trials} trials`;
  return (
    <form method="post" action={`/studies/${study.id}/delete`}>
      <h2 id={`${DELETE_DIALOG}-title`}>Delete study “{study.name}”?</h2>
      <p>
        This removes {trials}{" "}
        and the runs they trained, with their curves and weights. Final models trained from the
        study are kept. It cannot be undone.
      </p>
      {props.refusal && <p class="error" role="alert">{props.refusal}</p>}
      <div class="row">
        <button type="submit" class="danger">Delete for good</button>
        {props.cancel}
      </div>
    </form>
  );
}

function BackLink(props: { study: AdminStudy }) {
  return <a class="button secondary" href={`/studies/${props.study.id}`}>Cancel</a>;
}

/** The rename form as a page: at its own address, and after a refused name. */
export function RenameStudyPage(props: { study: AdminStudy; state?: FormState }) {
  return (
    <Layout title={`Rename study #${props.study.id}`} current="/studies">
      <section class="card">
        <RenameForm
          study={props.study}
          state={props.state}
          cancel={<BackLink study={props.study} />}
        />
      </section>
    </Layout>
  );
}

/** The delete confirmation as a page: at its own address, and after a refusal. */
export function DeleteStudyPage(props: { study: AdminStudy; refusal?: string }) {
  return (
    <Layout title={`Delete study #${props.study.id}`} current="/studies">
      <section class="card">
        <DeleteForm
          study={props.study}
          refusal={props.refusal}
          cancel={<BackLink study={props.study} />}
        />
      </section>
    </Layout>
  );
}
