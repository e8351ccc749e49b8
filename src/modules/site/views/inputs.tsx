import type { AppContext } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import { currencies, timeZones } from "../../../platform/http/validation.ts";
import type { Errors } from "../../../platform/views/components.tsx";
import { Select } from "../../../platform/views/components.tsx";

/** Inputs the setup form and the settings page share. */

function ErrorLine({ c, name, errors }: { c: AppContext; name: string; errors?: Errors }) {
  const err = errors?.[name];
  if (!err) return null;
  return (
    <p class="error" id={`f-${name}-error`}>
      {tr(c)(err.key, err.params)}
    </p>
  );
}

function describedBy(name: string, errors: Errors | undefined, hint: boolean): string | undefined {
  return [hint ? `f-${name}-hint` : "", errors?.[name] ? `f-${name}-error` : ""].filter(Boolean).join(" ") || undefined;
}

const zoneGroups: { region: string; zones: string[] }[] = (() => {
  const groups = new Map<string, string[]>();
  for (const zone of timeZones()) {
    const region = zone.includes("/") ? zone.slice(0, zone.indexOf("/")) : "";
    groups.set(region, [...(groups.get(region) ?? []), zone]);
  }
  return [...groups].map(([region, zones]) => ({ region, zones }));
})();

/** The ~400 IANA zones grouped by region, so the list can be scanned. */
export function TimeZoneSelect({ c, value, errors }: { c: AppContext; value: string; errors?: Errors }) {
  const t = tr(c);
  return (
    <div class="field">
      <label for="f-timeZone">{t("site.field.timeZone")}</label>
      <select
        id="f-timeZone"
        name="timeZone"
        aria-invalid={errors?.timeZone ? "true" : undefined}
        aria-describedby={describedBy("timeZone", errors, false)}
      >
        {zoneGroups.map((g) => (
          <optgroup label={g.region || t("site.region.other")}>
            {g.zones.map((z) => (
              <option value={z} selected={z === value}>
                {z.replace(/_/g, " ")}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      <ErrorLine c={c} name="timeZone" errors={errors} />
    </div>
  );
}

export function CurrencySelect({ c, value, errors }: { c: AppContext; value: string; errors?: Errors }) {
  const names = new Intl.DisplayNames([c.var.locale], { type: "currency" });
  const options = currencies.map((code) => {
    const name = names.of(code) ?? code;
    return { value: code, label: `${code} · ${name.charAt(0).toUpperCase()}${name.slice(1)}` };
  });
  return (
    <Select
      c={c}
      name="currency"
      label={tr(c)("site.field.currency")}
      options={options}
      value={value}
      errors={errors}
    />
  );
}

export function LocaleSelect({ c, value, errors }: { c: AppContext; value: string; errors?: Errors }) {
  const t = tr(c);
  return (
    <Select
      c={c}
      name="locale"
      label={t("site.field.locale")}
      options={[
        { value: "fr", label: t("site.locale.fr") },
        { value: "en", label: t("site.locale.en") },
      ]}
      value={value}
      errors={errors}
    />
  );
}

export function ColorInput({ c, value, errors }: { c: AppContext; value: string; errors?: Errors }) {
  const t = tr(c);
  return (
    <div class="field">
      <label for="f-accentColor">{t("site.field.accentColor")}</label>
      <p class="hint" id="f-accentColor-hint">
        {t("site.field.accentColor.hint")}
      </p>
      <input
        id="f-accentColor"
        name="accentColor"
        type="color"
        value={/^#[0-9a-f]{6}$/i.test(value) ? value : "#b4532a"}
        aria-invalid={errors?.accentColor ? "true" : undefined}
        aria-describedby={describedBy("accentColor", errors, true)}
      />
      <ErrorLine c={c} name="accentColor" errors={errors} />
    </div>
  );
}

export function LogoInput({ c, errors }: { c: AppContext; errors?: Errors }) {
  const t = tr(c);
  return (
    <div class="field">
      <label for="f-logo">
        {t("site.field.logo")}
        <span class="muted small"> ({t("form.optional")})</span>
      </label>
      <p class="hint" id="f-logo-hint">
        {t("site.field.logo.hint")}
      </p>
      <input
        id="f-logo"
        name="logo"
        type="file"
        accept="image/png,image/jpeg,image/webp,image/gif"
        aria-invalid={errors?.logo ? "true" : undefined}
        aria-describedby={describedBy("logo", errors, true)}
      />
      <ErrorLine c={c} name="logo" errors={errors} />
    </div>
  );
}
