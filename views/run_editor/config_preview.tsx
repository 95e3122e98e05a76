/**
 * The form's config as JSON for the API and CLI, with a copy button and a share link that
 * reopens the form filled in.
 *
 * @module
 */

import type { RunConfig } from "../../engine/spec.ts";
import { shareUrl } from "./run_form_state.ts";

export type PreviewProps =
  | { valid: true; config: RunConfig }
  | { valid: false; input: unknown; problems: number };

export const PREVIEW_ID = "config-preview";

export function ConfigPreview(props: PreviewProps) {
  const json = JSON.stringify(props.valid ? props.config : props.input, null, 2);
  return (
    <section id={PREVIEW_ID} class="card config-preview" aria-live="polite">
      <h2>Config as JSON</h2>
      {props.valid
        ? (
          <p class="muted">
            Valid. <code>POST</code> it to <code>/api/runs</code>, or save it for{" "}
            <code>deno task train</code>.
          </p>
        )
        : (
          <p class="field-error">
            {props.problems === 1 ? "1 problem" : `${props.problems} problems`}{" "}
            to fix; this is what the form holds so far.
          </p>
        )}
      <pre id="config-json" tabindex={0}>{json}</pre>
      <p class="preview-actions">
        <button type="button" class="secondary" data-copy="#config-json" hidden>
          Copy JSON
        </button>
        {props.valid
          ? (
            <a href={shareUrl(props.config)} id="share-link">
              Share link to this config
            </a>
          )
          : <span class="muted">A share link appears once the config is valid.</span>}
      </p>
    </section>
  );
}
