/**
 * A page holding one form that the server validates on every change: the form posts to
 * `action` and works without JavaScript; with htmx each change posts to `${action}/validate`,
 * whose answer (the form's content) is morphed in. Requests share one queue in which the newest
 * replaces any in flight (`hx-sync`), so an older answer never lands after a newer edit.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import type { Choice } from "./form_fields.tsx";
import { Layout } from "./layout.tsx";

/** Where a run trains; the same choice in the run and study forms. */
export const DEVICE_CHOICES: Choice[] = [
  { value: "auto", label: "Auto (the faster of GPU and CPU)" },
  { value: "gpu", label: "GPU (WebGPU)" },
  { value: "cpu", label: "CPU" },
];

export function ValidatedFormPage(props: {
  title: string;
  /** The navigation entry to mark current. */
  current: string;
  formId: string;
  action: string;
  children: Child;
}) {
  return (
    <Layout title={props.title} current={props.current}>
      <h2 class="page-title">{props.title}</h2>
      <form
        id={props.formId}
        method="post"
        action={props.action}
        novalidate
        hx-post={`${props.action}/validate`}
        hx-trigger="change"
        hx-swap="innerMorph"
        hx-sync="this:replace"
      >
        {props.children}
      </form>
    </Layout>
  );
}
