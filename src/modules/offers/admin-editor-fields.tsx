import type { AppContext } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { type FieldError } from "../../platform/http/errors.ts";
import { formValue, type FormData } from "../../platform/http/forms.ts";
import { type Errors } from "../../platform/views/components.tsx";
import { type OfferRow } from "./service.ts";
import { listIncludables } from "./includables.ts";

/** The offer editor's values (saved or as typed) and its field pieces; the page is admin-editor.tsx. */

/** What the form shows: the saved offer, or exactly what was sent when it was refused. */
export interface EditorValues {
  name: string;
  slug: string;
  kind: string;
  position: string;
  summary: string;
  description: string;
  highlight: boolean;
  highlight_label: string;
  featured_home: boolean;
  includes: string[];
  price_kind: string;
  price_amount: string;
  price_currency: string;
  price_trial_days: string;
  price_instalments: string;
  price_pwyw: boolean;
  price_min_amount: string;
  price_suggested_amount: string;
}

/** `currency`: the site's currency (set up by the creator), the one a new price starts in. */
export function valuesFromOffer(
  offer: OfferRow,
  includes: { kind: string; id: string }[],
  currency = "EUR",
): EditorValues {
  return {
    name: offer.name,
    slug: offer.slug,
    kind: offer.kind,
    position: String(offer.position),
    summary: offer.summary,
    description: offer.description_md,
    highlight: offer.highlight === 1,
    highlight_label: offer.highlight_label,
    featured_home: offer.featured_home === 1,
    includes: includes.map((i) => `${i.kind}:${i.id}`),
    // A membership is paid monthly unless the creator says otherwise.
    price_kind: offer.kind === "tier" ? "month" : "one_off",
    price_amount: "",
    price_currency: currency,
    price_trial_days: "0",
    price_instalments: "",
    price_pwyw: false,
    price_min_amount: "",
    price_suggested_amount: "",
  };
}

export function valuesFromForm(f: FormData): EditorValues {
  const v = (n: string) => formValue(f, n);
  const list = f.includes === undefined ? [] : Array.isArray(f.includes) ? f.includes : [f.includes];
  return {
    name: v("name"),
    slug: v("slug"),
    kind: v("kind"),
    position: v("position"),
    summary: v("summary"),
    description: v("description"),
    highlight: v("highlight") === "on",
    highlight_label: v("highlight_label"),
    featured_home: v("featured_home") === "on",
    includes: list,
    price_kind: v("price_kind") || "month",
    price_amount: v("price_amount"),
    price_currency: v("price_currency") || "EUR",
    price_trial_days: v("price_trial_days"),
    price_instalments: v("price_instalments"),
    price_pwyw: v("price_pwyw") === "on",
    price_min_amount: v("price_min_amount"),
    price_suggested_amount: v("price_suggested_amount"),
  };
}

export type T = ReturnType<typeof tr>;

export function Err({ t, errors, name }: { t: T; errors: Errors; name: string }) {
  const e: FieldError | undefined = errors[name];
  return e ? (
    <p class="error" id={`f-${name}-error`}>
      {t(e.key, e.params)}
    </p>
  ) : null;
}

export const invalid = (errors: Errors, name: string) =>
  errors[name] ? { "aria-invalid": "true", "aria-describedby": `f-${name}-error` } : {};

export function Input(p: {
  t: T;
  errors: Errors;
  name: string;
  label: string;
  value: string;
  max?: number;
  hint?: string;
  type?: string;
  extra?: Record<string, string | number | boolean | undefined>;
}) {
  return (
    <div class="field">
      <label for={`f-${p.name}`}>{p.label}</label>
      {p.hint && <p class="hint">{p.hint}</p>}
      <input
        id={`f-${p.name}`}
        type={p.type ?? "text"}
        name={p.name}
        value={p.value}
        maxlength={p.max}
        {...invalid(p.errors, p.name)}
        {...p.extra}
      />
      <Err t={p.t} errors={p.errors} name={p.name} />
    </div>
  );
}

/** "What this offer gives": each module's kinds in plain words, "all of them" first. */
export async function IncludesPicker({ c, chosen }: { c: AppContext; chosen: string[] }) {
  const t = tr(c);
  const db = c.var.services.db;
  const selected = new Set(chosen);
  const kinds = listIncludables();
  const lists = await Promise.all(kinds.map((k) => k.list(db)));
  const known = new Set<string>();
  const groups = kinds.map((k, i) => {
    const items = lists[i]!;
    if (k.allLabelKey) known.add(`${k.kind}:*`);
    for (const it of items) known.add(`${k.kind}:${it.id}`);
    return (
      <fieldset class="includes-group">
        <legend>{t(k.labelKey)}</legend>
        {k.allLabelKey && (
          <label class="check">
            <input type="checkbox" name="includes" value={`${k.kind}:*`} checked={selected.has(`${k.kind}:*`)} />{" "}
            {t(k.allLabelKey)}
          </label>
        )}
        {items.length > 0 && (
          <details open={items.some((it) => selected.has(`${k.kind}:${it.id}`))}>
            <summary>{t("offers.admin.includes_choose")}</summary>
            {items.map((it) => (
              <label class="check">
                <input
                  type="checkbox"
                  name="includes"
                  value={`${k.kind}:${it.id}`}
                  checked={selected.has(`${k.kind}:${it.id}`)}
                />{" "}
                {it.title}
              </label>
            ))}
          </details>
        )}
      </fieldset>
    );
  });
  // Something no module describes any more stays included (and visible) until unticked.
  const others = chosen.filter((x) => !known.has(x));
  return (
    <>
      {groups}
      {others.length > 0 && (
        <fieldset class="includes-group">
          <legend>{t("offers.admin.includes_other")}</legend>
          {others.map((x) => (
            <label class="check">
              <input type="checkbox" name="includes" value={x} checked /> {t("offers.admin.includes_unknown")}
            </label>
          ))}
        </fieldset>
      )}
    </>
  );
}
