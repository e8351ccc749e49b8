import type { AppContext } from "../../../platform/http/context.ts";
import { tr } from "../../../platform/http/context.ts";
import { currencies, timeZones } from "../../../platform/http/validation.ts";
import { zoneRegion } from "../../../platform/i18n/time-zones.ts";
import type { Errors } from "../../../platform/views/components.tsx";
import { Select } from "../../../platform/views/components.tsx";
import { assetUrl } from "../../../platform/views/assets.ts";

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

/** Cities whose French name is not their IANA spelling (the rest read the same in both languages). */
/** The ICU zone list keeps a few old spellings of city names ("Asia/Calcutta", "Europe/Kiev"): show today's. */
const currentCityNames: Record<string, string> = {
  Calcutta: "Kolkata",
  Kiev: "Kyiv",
  Saigon: "Ho Chi Minh City",
  Rangoon: "Yangon",
  Katmandu: "Kathmandu",
};

const frenchCities: Record<string, string> = {
  Saigon: "Hô-Chi-Minh-Ville",
  London: "Londres",
  Brussels: "Bruxelles",
  Cairo: "Le Caire",
  Algiers: "Alger",
  Lisbon: "Lisbonne",
  Vienna: "Vienne",
  Warsaw: "Varsovie",
  Prague: "Prague",
  Moscow: "Moscou",
  Athens: "Athènes",
  Rome: "Rome",
  Copenhagen: "Copenhague",
  Mexico_City: "Mexico",
  New_York: "New York",
  Montreal: "Montréal",
  Guadeloupe: "Guadeloupe",
  Martinique: "Martinique",
  Reunion: "La Réunion",
  Noumea: "Nouméa",
  Tahiti: "Tahiti",
  Cayenne: "Cayenne",
  Dakar: "Dakar",
  Kinshasa: "Kinshasa",
  Singapore: "Singapour",
  Tokyo: "Tokyo",
  Beijing: "Pékin",
  Shanghai: "Shanghai",
  Sao_Paulo: "São Paulo",
  Bucharest: "Bucarest",
  Belgrade: "Belgrade",
  Tunis: "Tunis",
  Casablanca: "Casablanca",
};

/** "Africa/Abidjan" → "Abidjan — heure moyenne de Greenwich": the city first (so typing its first letters finds it), then the zone's name. */
export function zoneLabel(locale: "fr" | "en", zone: string): string {
  const raw = zone.slice(zone.lastIndexOf("/") + 1);
  const city = (locale === "fr" ? frenchCities[raw] : undefined) ?? currentCityNames[raw] ?? raw.replace(/_/g, " ");
  let name = "";
  try {
    name =
      new Intl.DateTimeFormat(locale === "fr" ? "fr-FR" : "en-GB", { timeZone: zone, timeZoneName: "longGeneric" })
        .formatToParts(new Date(Date.UTC(2026, 0, 15)))
        .find((p) => p.type === "timeZoneName")?.value ?? "";
  } catch {
    name = "";
  }
  return name && name !== city ? `${city} — ${name}` : city;
}

const zoneGroupsByLocale = new Map<string, { region: string; zones: { value: string; label: string }[] }[]>();

/** The IANA zones by region, each named by its city in the reader's language, sorted by city. */
function zoneGroups(locale: "fr" | "en") {
  const hit = zoneGroupsByLocale.get(locale);
  if (hit) return hit;
  const groups = new Map<string, { value: string; label: string }[]>();
  for (const zone of timeZones()) {
    const region = zoneRegion(zone);
    groups.set(region, [...(groups.get(region) ?? []), { value: zone, label: zoneLabel(locale, zone) }]);
  }
  const out = [...groups]
    .map(([region, zones]) => ({ region, zones: zones.sort((a, b) => a.label.localeCompare(b.label, locale)) }))
    .sort((a, b) => (a.region === "" ? 1 : b.region === "" ? -1 : a.region.localeCompare(b.region)));
  zoneGroupsByLocale.set(locale, out);
  return out;
}

/** Zones chosen by city in plain words ("Abidjan — heure moyenne de Greenwich"), grouped by region; typing a city's first letters jumps to it. */
export function TimeZoneSelect({ c, value, errors }: { c: AppContext; value: string; errors?: Errors }) {
  const t = tr(c);
  return (
    <div class="field">
      <label for="f-timeZone">{t("site.field.timeZone")}</label>
      <p class="hint" id="f-timeZone-hint">
        {t("site.field.timeZone.byCity")}
      </p>
      {/* Shown by the script (a box that filters the list); without JavaScript the list alone works. */}
      <input
        type="search"
        id="f-timeZone-search"
        class="zone-search"
        data-zone-search="f-timeZone"
        placeholder={t("site.field.timeZone.search")}
        aria-label={t("site.field.timeZone.search")}
        aria-controls="f-timeZone"
        autocomplete="off"
        hidden
      />
      <p class="hint" id="f-timeZone-search-none" role="status" hidden>
        {t("site.field.timeZone.none")}
      </p>
      <select
        id="f-timeZone"
        name="timeZone"
        aria-invalid={errors?.timeZone ? "true" : undefined}
        aria-describedby={describedBy("timeZone", errors, true)}
      >
        {zoneGroups(c.var.locale).map((g) => (
          <optgroup label={g.region ? t(`site.region.${g.region}`) : t("site.region.other")}>
            {g.zones.map((z) => (
              <option value={z.value} selected={z.value === value}>
                {z.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      <ErrorLine c={c} name="timeZone" errors={errors} />
      <script src={assetUrl("site-timezone-search.js" as "app.js")} defer></script>
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
  return <ImageInput c={c} name="logo" label={t("site.field.logo")} hint={t("site.field.logo.hint")} errors={errors} />;
}

/** An optional image upload (logo, portrait, cover); the server checks the real type and the size. */
export function ImageInput(p: { c: AppContext; name: string; label: string; hint: string; errors?: Errors }) {
  const t = tr(p.c);
  const id = `f-${p.name}`;
  return (
    <div class="field">
      <label for={id}>
        {p.label}
        <span class="muted small"> ({t("form.optional")})</span>
      </label>
      <p class="hint" id={`${id}-hint`}>
        {p.hint}
      </p>
      <input
        id={id}
        name={p.name}
        type="file"
        accept="image/png,image/jpeg,image/webp,image/gif"
        aria-invalid={p.errors?.[p.name] ? "true" : undefined}
        aria-describedby={describedBy(p.name, p.errors, true)}
      />
      <ErrorLine c={p.c} name={p.name} errors={p.errors} />
    </div>
  );
}
