/**
 * The form's study as the JSON file `deno task tune study.json` reads (and `POST /api/studies`
 * takes), with a copy button.
 *
 * @module
 */

export const STUDY_FILE_ID = "study-file";

export interface StudyFileProps {
  /** The study file as the form holds it. */
  input: unknown;
  /** How many problems the form has; 0 when the file is valid. */
  problems: number;
}

export function StudyFilePreview(props: StudyFileProps) {
  return (
    <section id={STUDY_FILE_ID} class="card config-preview" aria-live="polite">
      <h2>Study file (JSON)</h2>
      {props.problems === 0
        ? (
          <p class="muted">
            Valid. Save it as <code>study.json</code> and run{" "}
            <code>deno task tune study.json</code>, or <code>POST</code> it to{" "}
            <code>/api/studies</code>.
          </p>
        )
        : (
          <p class="field-error">
            {props.problems === 1 ? "1 problem" : `${props.problems} problems`}{" "}
            to fix; this is what the form holds so far.
          </p>
        )}
      <pre id="study-json" tabindex={0}>{JSON.stringify(props.input, null, 2)}</pre>
      <p class="preview-actions">
        <button type="button" class="secondary" data-copy="#study-json" hidden>
          Copy JSON
        </button>
      </p>
    </section>
  );
}
