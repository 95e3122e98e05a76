/**
 * A hook in the form fields for forms that build on another: the study form draws the New run
 * editor as it is, and through this slot gives each field a "search" switch that swaps its
 * control for a distribution editor in place. Without a slot (the New run form) fields draw
 * their control alone.
 *
 * @module
 */

import { createContext, useContext } from "hono/jsx";
import type { Child } from "hono/jsx";
import type { Choice } from "./form_fields.tsx";

export type FieldKind = "number" | "integer" | "text" | "select" | "checkbox" | "radio" | "layers";

export interface SlotField {
  /** The field's name: its run config path (`optimizer.lr`, `model.layers.0.units`). */
  name: string;
  label: string;
  kind: FieldKind;
  /** The values a select or radio group offers. */
  choices?: readonly Choice[];
}

/** Draws a field given its usual control: around it, or instead of it. */
export type FieldSlot = (field: SlotField, normal: Child) => Child;

export const FieldSlotContext = createContext<FieldSlot | null>(null);

/** `normal`, or what the enclosing form's slot makes of it. */
export function slotted(field: SlotField, normal: Child): Child {
  const slot = useContext(FieldSlotContext);
  return slot ? slot(field, normal) : normal;
}

/**
 * Where the run editor's own buttons post (add a layer, switch the optimizer): the New run
 * form's fragment routes, or, inside another form, that form's validate route, which redraws it
 * whole.
 */
export const EditorActionContext = createContext<{ fragments: boolean; action: string }>({
  fragments: true,
  action: "/runs/new",
});

export function useEditorAction(): { fragments: boolean; action: string } {
  return useContext(EditorActionContext);
}
