/** @jsxImportSource #html-jsx */
import type { Child } from "hono/jsx";
import type { AppContext } from "../http/context.ts";
import { tr } from "../http/context.ts";
import type { FieldError } from "../http/errors.ts";

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

/** A labelled input with its hint and translated error, wired for screen readers. */
export function Field(p: FieldProps) {
  const t = tr(p.c);
  const err = p.errors?.[p.name];
  const id = `f-${p.name}`;
  const describedBy = [p.hint ? `${id}-hint` : "", err ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class="field">
      <label for={id}>
        {p.label}
        {!p.required && <span class="muted small"> ({t("form.optional")})</span>}
      </label>
      {p.hint && (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      )}
      <input
        id={id}
        name={p.name}
        type={p.type ?? "text"}
        value={p.value ?? ""}
        required={p.required}
        autocomplete={p.autocomplete}
        maxlength={p.maxLength}
        inputmode={p.inputmode}
        placeholder={p.placeholder}
        aria-invalid={err ? "true" : undefined}
        aria-describedby={describedBy}
      />
      {err && (
        <p class="error" id={`${id}-error`}>
          {t(err.key, err.params)}
        </p>
      )}
    </div>
  );
}

export function TextArea(p: Omit<FieldProps, "type"> & { rows?: number }) {
  const t = tr(p.c);
  const err = p.errors?.[p.name];
  const id = `f-${p.name}`;
  const describedBy = [p.hint ? `${id}-hint` : "", err ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class="field">
      <label for={id}>
        {p.label}
        {!p.required && <span class="muted small"> ({t("form.optional")})</span>}
      </label>
      {p.hint && (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      )}
      <textarea
        id={id}
        name={p.name}
        rows={p.rows ?? 8}
        required={p.required}
        maxlength={p.maxLength}
        aria-invalid={err ? "true" : undefined}
        aria-describedby={describedBy}
      >
        {p.value ?? ""}
      </textarea>
      {err && (
        <p class="error" id={`${id}-error`}>
          {t(err.key, err.params)}
        </p>
      )}
    </div>
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
  const t = tr(p.c);
  const err = p.errors?.[p.name];
  const id = `f-${p.name}`;
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      {p.hint && (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      )}
      <select
        id={id}
        name={p.name}
        aria-invalid={err ? "true" : undefined}
        aria-describedby={err ? `${id}-error` : p.hint ? `${id}-hint` : undefined}
      >
        {selectOptions(p.options, p.value)}
      </select>
      {err && (
        <p class="error" id={`${id}-error`}>
          {t(err.key, err.params)}
        </p>
      )}
    </div>
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
