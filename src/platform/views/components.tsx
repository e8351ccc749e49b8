/** @jsxImportSource #html-jsx */
import type { Child } from "hono/jsx";
import type { AppContext } from "../http/context.ts";
import { tr } from "../http/context.ts";
import type { FieldError } from "../http/errors.ts";
import { FormField, fieldAria } from "./form-field.tsx";

/** Field errors of a failed form, as given by AppError.fields. */
export type Errors = Record<string, FieldError>;

export function CsrfField({ c }: { c: AppContext }) {
  return <input type="hidden" name="_csrf" value={c.var.csrfToken} />;
}

interface FieldProps {
  c: AppContext;
  name: string;
  label: string;
  type?: string;
  value?: string;
  errors?: Errors;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  maxLength?: number;
  inputmode?: "url" | "search" | "text" | "decimal" | "none" | "email" | "tel" | "numeric";
  placeholder?: string;
}

/** The label of a standard field: its text, and "(optional)" unless the field is required. */
function fieldLabel(p: { c: AppContext; label: string; required?: boolean }): Child {
  return (
    <>
      {p.label}
      {!p.required && <span class="muted small"> ({tr(p.c)("form.optional")})</span>}
    </>
  );
}

/** A labelled input with its hint and translated error, wired for screen readers (FormField). */
export function Field(p: FieldProps) {
  const a = fieldAria(p.name, p.errors, !!p.hint);
  return (
    <FormField c={p.c} name={p.name} label={fieldLabel(p)} hint={p.hint} errors={p.errors}>
      <input
        id={a.id}
        name={p.name}
        type={p.type ?? "text"}
        value={p.value ?? ""}
        required={p.required}
        autocomplete={p.autocomplete}
        maxlength={p.maxLength}
        inputmode={p.inputmode}
        placeholder={p.placeholder}
        aria-invalid={a["aria-invalid"]}
        aria-describedby={a["aria-describedby"]}
      />
    </FormField>
  );
}

export function TextArea(p: Omit<FieldProps, "type"> & { rows?: number }) {
  const a = fieldAria(p.name, p.errors, !!p.hint);
  return (
    <FormField c={p.c} name={p.name} label={fieldLabel(p)} hint={p.hint} errors={p.errors}>
      <textarea
        id={a.id}
        name={p.name}
        rows={p.rows ?? 8}
        required={p.required}
        maxlength={p.maxLength}
        aria-invalid={a["aria-invalid"]}
        aria-describedby={a["aria-describedby"]}
      >
        {p.value ?? ""}
      </textarea>
    </FormField>
  );
}

/**
 * A select's options, printed once per list and chosen value: a list kept by its caller (the ~400 time
 * zones of the account page) was most of that page's render.
 */
const optionsMemo = new WeakMap<object, Map<string | undefined, Child>>();
function selectOptions(options: { value: string; label: string }[], value: string | undefined): Child {
  let byValue = optionsMemo.get(options);
  if (!byValue) optionsMemo.set(options, (byValue = new Map()));
  let out = byValue.get(value);
  if (out === undefined) {
    out = (
      <>
        {options.map((o) => (
          <option value={o.value} selected={o.value === value}>
            {o.label}
          </option>
        ))}
      </>
    );
    byValue.set(value, out);
  }
  return out;
}

export function Select(p: {
  c: AppContext;
  name: string;
  label: string;
  options: { value: string; label: string }[];
  value?: string;
  errors?: Errors;
  hint?: string;
}) {
  const a = fieldAria(p.name, p.errors, !!p.hint);
  return (
    <FormField c={p.c} name={p.name} label={p.label} hint={p.hint} errors={p.errors}>
      <select id={a.id} name={p.name} aria-invalid={a["aria-invalid"]} aria-describedby={a["aria-describedby"]}>
        {selectOptions(p.options, p.value)}
      </select>
    </FormField>
  );
}

export function Checkbox(p: { c: AppContext; name: string; label: Child; checked?: boolean; errors?: Errors }) {
  const t = tr(p.c);
  const err = p.errors?.[p.name];
  return (
    <div class="field">
      <label class="check">
        <input
          id={`f-${p.name}`}
          type="checkbox"
          name={p.name}
          checked={p.checked}
          aria-invalid={err ? "true" : undefined}
          aria-describedby={err ? `f-${p.name}-error` : undefined}
        />
        <span>{p.label}</span>
      </label>
      {err && (
        <p class="error" id={`f-${p.name}-error`}>
          {t(err.key, err.params)}
        </p>
      )}
    </div>
  );
}

/** The summary at the top of a failed form (focusable target for keyboard users). */
export function FormErrors({ c, errors }: { c: AppContext; errors?: Errors }) {
  if (!errors || Object.keys(errors).length === 0) return null;
  const t = tr(c);
  return (
    <div class="form-errors" role="alert" tabindex={-1}>
      <h2>{t("form.errorsTitle")}</h2>
      <ul>
        {Object.entries(errors).map(([name, e]) => (
          <li>
            <a href={`#f-${name}`}>{t(e.key, e.params)}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Notice({ children, kind }: { children: Child; kind?: "ok" | "warn" }) {
  return (
    <div class={kind === "warn" ? "notice warn" : "notice"} role="status">
      {children}
    </div>
  );
}
