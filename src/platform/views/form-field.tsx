import type { Child } from "hono/jsx";
import type { AppContext } from "../http/context.ts";
import { tr } from "../http/context.ts";
import type { Errors } from "./components.tsx";

/**
 * The ids and ARIA attributes that tie a control to its label, hint and error: the control is
 * `f-<name>`, its hint `f-<name>-hint`, its error `f-<name>-error` (the ids `FormField` renders).
 */
export function fieldAria(name: string, errors?: Errors, hasHint = false) {
  const id = `f-${name}`;
  const err = errors?.[name];
  const describedBy = [hasHint ? `${id}-hint` : "", err ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return { id, "aria-invalid": err ? ("true" as const) : undefined, "aria-describedby": describedBy };
}

/**
 * A labelled control with its hint and translated error, for the controls the standard fields
 * (components.tsx) do not cover: a date or amount filter, a search box, a one-time code. The
 * control is the child, spread with `fieldAria(name, errors, hasHint)`.
 */
export function FormField(p: {
  c: AppContext;
  name: string;
  label: Child;
  hint?: Child;
  errors?: Errors;
  /** Extra classes beside "field". */
  class?: string;
  children: Child;
}) {
  const id = `f-${p.name}`;
  const err = p.errors?.[p.name];
  return (
    <div class={p.class ? `field ${p.class}` : "field"}>
      <label for={id}>{p.label}</label>
      {p.hint && (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      )}
      {p.children}
      {err && (
        <p class="error" id={`${id}-error`}>
          {tr(p.c)(err.key, err.params)}
        </p>
      )}
    </div>
  );
}
