import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import type { Errors } from "../../platform/views/components.tsx";

/** A field's translated message, beside it (ids match the FormErrors summary's links: f-<name>). */
export function FieldMessage({ c, errors, name }: { c: AppContext; errors?: Errors; name: string }) {
  const e = errors?.[name];
  if (!e) return null;
  return (
    <p class="error" id={`f-${name}-error`}>
      {tr(c)(e.key, e.params)}
    </p>
  );
}

export const fieldAria = (errors: Errors | undefined, name: string): Record<string, string> =>
  errors?.[name] ? { "aria-invalid": "true", "aria-describedby": `f-${name}-error` } : {};
