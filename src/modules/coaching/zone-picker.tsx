/** @jsxImportSource #html-jsx */
import type { Hono } from "hono";
import { raw } from "hono/html";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { notFound } from "../../platform/http/errors.ts";
import { timeZones } from "../../platform/http/validation.ts";
import { zoneRegion } from "../../platform/i18n/time-zones.ts";
import { page } from "../../platform/views/layout.tsx";
import { markCacheable } from "../../platform/http/page-cache.ts";
import { zoneLabel } from "../site/index.ts";
import { activeCoachingOfferBySlug } from "./offers.ts";
import { coachingHead } from "./assets.tsx";

/**
 * The slot page's zone picker is light: the visitor's zone, the creator's and the site's, and ~30
 * common cities. The full list of ~420 zones (20 KB, most of the page's weight and of its encoding
 * time) lives on its own cacheable page, /coaching/<slug>/zones, one link per zone: it works without
 * JavaScript, and the page's script detects the browser's zone anyway.
 */

// The most used zones by population of creators' clients (Europe, the Americas, Africa, Asia, Oceania).
const COMMON = [
  "Europe/Paris",
  "Europe/Brussels",
  "Europe/Zurich",
  "Europe/Luxembourg",
  "Europe/London",
  "Europe/Lisbon",
  "Europe/Madrid",
  "Europe/Berlin",
  "Europe/Rome",
  "Europe/Amsterdam",
  "Europe/Athens",
  "Europe/Istanbul",
  "Europe/Moscow",
  "Africa/Casablanca",
  "Africa/Algiers",
  "Africa/Tunis",
  "Africa/Dakar",
  "Africa/Abidjan",
  "Africa/Lagos",
  "Africa/Cairo",
  "Africa/Johannesburg",
  "Indian/Reunion",
  "America/Toronto",
  "America/New_York",
  "America/Chicago",
  "America/Denver",
  "America/Los_Angeles",
  "America/Mexico_City",
  "America/Sao_Paulo",
  "America/Martinique",
  "America/Guadeloupe",
  "Asia/Dubai",
  "Asia/Calcutta",
  "Asia/Shanghai",
  "Asia/Tokyo",
  "Australia/Sydney",
  "Pacific/Noumea",
  "Pacific/Tahiti",
  "UTC",
];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

// A label costs an Intl formatter: each (locale, zone) is named once per process (≤ 2 × 420 entries).
const labels = new Map<string, string>();
function label(locale: "fr" | "en", zone: string): string {
  const key = `${locale} ${zone}`;
  let l = labels.get(key);
  if (l === undefined) {
    l = zoneLabel(locale, zone);
    labels.set(key, l);
  }
  return l;
}

// The common options, sorted by city and escaped once per locale; each page adds its own zones on top.
const commonHtml = new Map<string, string>();
function commonOptions(locale: "fr" | "en"): string {
  let h = commonHtml.get(locale);
  if (h === undefined) {
    const zones = COMMON.filter((z) => timeZones().includes(z));
    h = zones
      .map((z) => ({ z, l: label(locale, z) }))
      .sort((a, b) => a.l.localeCompare(b.l, locale))
      .map(({ z, l }) => `<option value="${esc(z)}">${esc(l)}</option>`)
      .join("");
    commonHtml.set(locale, h);
  }
  return h;
}

/** The options: the shown zone (selected), the creator's and the site's if not common, then the common ones. */
export function zoneOptionsHtml(locale: "fr" | "en", zone: string, extra: string[]): string {
  const common = commonOptions(locale);
  let top = "";
  const seen = new Set<string>();
  for (const z of [zone, ...extra]) {
    if (!z || seen.has(z)) continue;
    seen.add(z);
    const sel = z === zone ? " selected" : "";
    if (COMMON.includes(z)) {
      // Already in the list: only the shown zone needs marking, and it goes on top.
      if (sel) top += `<option value="${esc(z)}" selected>${esc(label(locale, z))}</option>`;
      continue;
    }
    top += `<option value="${esc(z)}"${sel}>${esc(label(locale, z))}</option>`;
  }
  const rest = COMMON.includes(zone)
    ? common.replace(`<option value="${esc(zone)}">${esc(label(locale, zone))}</option>`, "")
    : common;
  return top + rest;
}

export function ZonePicker(props: {
  c: AppContext;
  zone: string;
  action: string;
  slug: string;
  /** The creator's and the site's zones, offered on top when they are not common. */
  extra: string[];
  /** The page the full list sends back to when it is not the public slot page (a member's reschedule page). */
  back?: string;
}) {
  const { c, zone, action } = props;
  const t = tr(c);
  return (
    <form method="get" action={action} class="inline-form coaching-zone" data-coaching-zone>
      <label for="tz">{t("coaching.picker.zone")}</label>
      <select id="tz" name="tz">
        {raw(zoneOptionsHtml(c.get("locale"), zone, props.extra))}
      </select>
      <button class="btn secondary" type="submit">
        {t("coaching.picker.change")}
      </button>
      <a
        class="small"
        href={`/coaching/${encodeURIComponent(props.slug)}/zones${props.back ? `?back=${encodeURIComponent(props.back)}` : ""}`}
      >
        {t("coaching.picker.other_zone")}
      </a>
    </form>
  );
}

// The full list per locale, grouped by region, sorted by city: built once (the slug is the only variable part).
const allHtml = new Map<string, { region: string; items: string }[]>();
function allZones(locale: "fr" | "en") {
  let groups = allHtml.get(locale);
  if (groups === undefined) {
    const byRegion = new Map<string, { z: string; l: string }[]>();
    for (const z of timeZones()) {
      const region = zoneRegion(z);
      byRegion.set(region, [...(byRegion.get(region) ?? []), { z, l: label(locale, z) }]);
    }
    groups = [...byRegion]
      .sort(([a], [b]) => (a === "" ? 1 : b === "" ? -1 : a.localeCompare(b)))
      .map(([region, zs]) => ({
        region,
        items: zs
          .sort((a, b) => a.l.localeCompare(b.l, locale))
          // The start of the address is filled in per request ("{to}" never occurs in a zone's name).
          .map(({ z, l }) => `<li><a href="{to}${esc(z)}">${esc(l)}</a></li>`)
          .join(""),
      }));
    allHtml.set(locale, groups);
  }
  return groups;
}

/** GET /coaching/<slug>/zones: every zone, by region and city, each a link to the slot page in that zone. */
export function zoneListRoutes(app: Hono<AppEnv>): void {
  app.get("/coaching/:slug/zones", async (c) => {
    const t = tr(c);
    const offer = await activeCoachingOfferBySlug(c.get("services").db, c.req.param("slug") ?? "");
    if (!offer) throw notFound();
    // Nothing personal on it: the platform's page cache may keep it for everyone.
    if (!c.get("memberSession") && !c.get("staffSession")) markCacheable(c);
    const slug = encodeURIComponent(offer.slug);
    // Back to a member's reschedule page (?tz=), else the public page's shareable path (/at/<zone>).
    const back = c.req.query("back") ?? "";
    const toReschedule = /^\/account\/coaching\/[A-Za-z0-9_-]{1,64}\/reschedule$/.test(back);
    const fill = (items: string) =>
      toReschedule
        ? items.replace(
            /href="\{to\}([^"]*)"/g,
            (_m, z: string) => `href="${back}?tz=${encodeURIComponent(z.replace(/&amp;/g, "&"))}"`,
          )
        : items.replaceAll("{to}", `/coaching/${slug}/at/`);
    return page(
      c,
      { title: t("coaching.zones.title"), head: coachingHead() },
      <div class="narrow coaching-page">
        <p class="eyebrow">
          <a href={toReschedule ? back : `/coaching/${slug}`}>{offer.title}</a>
        </p>
        <h1>{t("coaching.zones.title")}</h1>
        <p class="muted">{t("coaching.zones.hint")}</p>
        {allZones(c.get("locale")).map((g) => (
          <section>
            <h2>{g.region ? t(`site.region.${g.region}`) : t("site.region.other")}</h2>
            <ul class="coaching-zone-list">{raw(fill(g.items))}</ul>
          </section>
        ))}
      </div>,
    );
  });
}
