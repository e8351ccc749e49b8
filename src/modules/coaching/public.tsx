/** @jsxImportSource #html-jsx */
import type { Hono } from "hono";
import { DateTime } from "luxon";
import { raw } from "hono/html";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError, notFound } from "../../platform/http/errors.ts";
import { readForm, formValue } from "../../platform/http/forms.ts";
import { isTimeZone } from "../../platform/http/validation.ts";
import { page } from "../../platform/views/layout.tsx";
import { markCacheable } from "../../platform/http/page-cache.ts";
import type { Errors } from "../../platform/views/components.tsx";
import { runOperation } from "../../platform/operations.ts";
import { memberActor } from "../../platform/actor.ts";
import { currentMember, updateMember, type Member } from "../members/index.ts";
import { getOffer } from "../offers/index.ts";
import { computeSlotTimes, slotTimesByLocalDay, type AvailabilityRules, type BusyRange } from "./availability.ts";
import { slotPageData } from "./slot-page-query.ts";
import { busyBetween, cachedRules, getSettings } from "./settings.ts";
import { placesPerDay } from "./claims.ts";
import { bookSession } from "./booking.ts";
import { activeCoachingOfferBySlug, listCoachingOffers, type CoachingOffer } from "./offers.ts";
import { coachingHead } from "./assets.tsx";
import { mayBuy, questionsOf } from "./applications.ts";
import { memberCredits } from "./credits.ts";
import { ApplicationBlock } from "./application-views.tsx";
import { ZonePicker } from "./zone-picker.tsx";

/** The public coaching page and the slot picker, in the visitor's own time zone. */

const durationLabel = (c: AppContext, o: CoachingOffer) =>
  tr(c)(o.kind === "package" ? "coaching.offer.package_line" : "coaching.offer.single_line", {
    minutes: o.duration_min,
    n: o.sessions,
  });

/** The zone to show: ?tz= (the visitor's choice or their browser's), else the member's profile, else none yet. */
export function zoneOf(c: AppContext, member: Member | null): string | null {
  // /coaching/<slug>/at/<Area/City> (a shareable, cacheable path) or ?tz= (the picker's form).
  const q = c.req.param("zone") ?? c.req.query("tz");
  if (q && isTimeZone(q)) return q;
  return member?.timeZone && isTimeZone(member.timeZone) ? member.timeZone : null;
}

// Day headings ("lundi 23 mars", "Monday 23 March") repeat across requests: formatted once per locale and date.
const headings = new Map<string, string>();
function dayHeading(locale: string, date: string): string {
  const key = `${locale} ${date}`;
  let h = headings.get(key);
  if (h === undefined) {
    h = DateTime.fromISO(date).setLocale(locale).toFormat("cccc d LLLL");
    if (headings.size > 5000) headings.clear();
    headings.set(key, h);
  }
  return h;
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&#39;");

/** The instants a slot list covers: shown from startMs to toMs, read a day either side (busy times may straddle). */
export function slotRange(rules: AvailabilityRules, now: number, startDay: number, days: number) {
  const startMs = now + startDay * 86_400_000;
  const windowEnd = now + rules.windowDays * 86_400_000;
  const toMs = Math.min(startMs + days * 86_400_000, windowEnd);
  return {
    startMs,
    toMs,
    more: toMs < windowEnd,
    from: new Date(startMs - 86_400_000).toISOString(),
    until: new Date(toMs + 86_400_000).toISOString(),
  };
}

/**
 * The free times of a coaching offer, grouped by the visitor's local day. Computed for every
 * request from the range's bookings and busy times (no memo of slots or pages here; the rules
 * are the one-second copy of cachedRules; the platform's page cache may answer anonymous
 * visitors' canonical URLs), and written as one string: a month of times is ~1,000 elements,
 * and building them as JSX nodes cost more than everything else on the page.
 */
export async function SlotList(props: {
  c: AppContext;
  offer: CoachingOffer;
  zone: string;
  /** Days shown, from `startDay` days ahead (the booking window still applies). */
  days: number;
  startDay?: number;
  action: string;
  member: Member | null;
  exceptBookingId?: string;
  /** Filled with whether the window goes on after the days shown (for a "next week" link). */
  more?: { after: boolean };
  /** The range's busy times and day counts, when the page has read them with the offer (slotPageData). */
  loaded?: { rules: AvailabilityRules; now: number; busy: BusyRange[]; perDay?: ReadonlyMap<string, number> };
}) {
  const { c, offer, zone } = props;
  const t = tr(c);
  const db = c.get("services").db;
  const now = props.loaded?.now ?? c.get("services").clock.nowMs();
  const rules = props.loaded?.rules ?? (await cachedRules(db));
  const range = slotRange(rules, now, props.startDay ?? 0, props.days);
  if (props.more) props.more.after = range.more;
  let busy: BusyRange[];
  let perDay: ReadonlyMap<string, number> | undefined;
  if (props.loaded) ({ busy, perDay } = props.loaded);
  else {
    ({ busy } = await busyBetween(db, rules, range.from, range.until, { exceptBookingId: props.exceptBookingId }));
    // Full days (the daily maximum) are not offered; the day claims count them.
    perDay =
      rules.maxPerDay > 0 ? await placesPerDay(db, range.from.slice(0, 10), range.until.slice(0, 10)) : undefined;
  }
  const startMs = range.startMs;
  const to = range.toMs;
  const slots = computeSlotTimes(rules, { durationMin: offer.duration_min, now, from: startMs, to, busy, perDay });
  const days = slotTimesByLocalDay(slots, zone);
  if (!days.length) return <p class="muted">{t("coaching.picker.none")}</p>;
  const locale = c.get("locale");
  const parts: string[] = ['<div class="coaching-days">'];
  // Members get one small form per time (CSRF token, start, zone); visitors see the times only.
  const form = props.member
    ? [
        `<form method="post" action="${esc(props.action)}"><input type="hidden" name="_csrf" value="${esc(c.get("csrfToken"))}"/><input type="hidden" name="startsAt" value="`,
        `"/><input type="hidden" name="timeZone" value="${esc(zone)}"/><button type="submit" class="coaching-time" data-slot="`,
      ]
    : null;
  for (const d of days) {
    parts.push(
      `<section class="coaching-day" aria-label="${d.date}"><h3>${esc(dayHeading(locale, d.date))}</h3><div class="coaching-times">`,
    );
    for (const s of d.times) {
      if (!form) {
        parts.push(`<span class="coaching-time off">${s.label}</span>`);
        continue;
      }
      // The instant is written only where a form posts it (members).
      const iso = new Date(s.ms).toISOString();
      parts.push(`${form[0]}${iso}${form[1]}${iso}">${s.label}</button></form>`);
    }
    parts.push("</div></section>");
  }
  parts.push("</div>");
  return raw(parts.join(""));
}

/** Previous / next week links, keeping the rest of the address (the zone in the path or ?tz=). */
function WeekNav({ c, week, more }: { c: AppContext; week: number; more: boolean }) {
  const t = tr(c);
  const url = new URL(c.req.url);
  const link = (w: number) => {
    const q = new URLSearchParams(url.search);
    if (w === 0) q.delete("week");
    else q.set("week", String(w));
    const qs = q.toString();
    return `${url.pathname}${qs ? `?${qs}` : ""}`;
  };
  if (week === 0 && !more) return null;
  return (
    <nav class="coaching-weeks stack-row" aria-label={t("coaching.picker.weeks")}>
      {week > 0 && (
        <a class="btn secondary" href={link(week - 1)} rel="prev">
          {t("coaching.picker.prev_week")}
        </a>
      )}{" "}
      {more && (
        <a class="btn secondary" href={link(week + 1)} rel="next">
          {t("coaching.picker.next_week")}
        </a>
      )}
    </nav>
  );
}

export async function offerPage(c: AppContext, errors?: Errors, values?: Record<string, string | string[]>) {
  const t = tr(c);
  const db = c.get("services").db;
  // One week per page (?week=1 the next one...), or ?days=N (1–62) from there; the booking window still applies.
  const weekQ = Number(c.req.query("week") ?? 0);
  const week = Number.isInteger(weekQ) && weekQ >= 0 && weekQ <= 60 ? weekQ : 0;
  const daysQ = Number(c.req.query("days") ?? 7);
  const days = Number.isInteger(daysQ) && daysQ >= 1 && daysQ <= 62 ? daysQ : 7;
  // The offer and the shown range's busy times in one statement (read even when an application comes first).
  const rules = await cachedRules(db);
  const now = c.get("services").clock.nowMs();
  const range = slotRange(rules, now, week * 7, days);
  const data = await slotPageData(db, c.req.param("slug") ?? "", rules, range);
  if (!data) throw notFound();
  const { offer } = data;
  const member = await currentMember(c);
  const zone = zoneOf(c, member);
  const path = `/coaching/${offer.slug}`;
  const more = { after: false };
  const nowIso = c.get("services").clock.nowIso();
  const needsApplication = questionsOf(offer).length > 0 && !(member && (await mayBuy(db, member.id, offer, nowIso)));
  // A package is paid before its sessions are booked: a member with no session left is shown where to buy it.
  let buyAt: string | null = null;
  if (member && !needsApplication && offer.kind === "package" && offer.offer_id) {
    const left = (await memberCredits(db, member.id, nowIso)).find((x) => x.coachingOfferId === offer.id)?.left ?? 0;
    const sold = left === 0 ? await getOffer(db, offer.offer_id) : undefined;
    if (sold && sold.status === "published") buyAt = `/offers/${sold.slug}`;
  }
  return page(
    c,
    { title: offer.title, head: coachingHead() },
    <div class="narrow coaching-page">
      <p class="eyebrow">
        <a href="/coaching">{t("coaching.public.title")}</a>
      </p>
      <h1>{offer.title}</h1>
      <p class="lead">{durationLabel(c, offer)}</p>
      {offer.description && <p>{offer.description}</p>}
      {c.req.query("applied") && <p class="notice">{t("coaching.apply.sent")}</p>}
      {needsApplication ? (
        <ApplicationBlock c={c} offer={offer} member={member} errors={errors} values={values} />
      ) : (
        <>
          <ZonePicker
            c={c}
            zone={zone ?? "UTC"}
            action={path}
            slug={offer.slug}
            extra={[rules.timeZone, c.get("site").timeZone]}
          />
          {!zone && (
            <p class="muted small" data-coaching-detect>
              {t("coaching.picker.detecting")}
            </p>
          )}
          {buyAt && (
            <p class="notice">
              {t("coaching.picker.buy_first")}{" "}
              <a class="btn" href={buyAt}>
                {t("coaching.picker.buy_link")}
              </a>
            </p>
          )}
          {!member && (
            <p class="notice">
              {t("coaching.picker.login")}{" "}
              <a href={`/login?next=${encodeURIComponent(`${path}${zone ? `?tz=${encodeURIComponent(zone)}` : ""}`)}`}>
                {t("coaching.picker.login_link")}
              </a>
            </p>
          )}
          {await SlotList({
            c,
            offer,
            zone: zone ?? "UTC",
            days,
            startDay: week * 7,
            action: `${path}/book`,
            member,
            more,
            loaded: { rules, now, busy: data.busy, perDay: data.perDay },
          })}
          <WeekNav c={c} week={week} more={more.after} />
        </>
      )}
    </div>,
    errors ? 422 : 200,
  );
}

export function publicRoutes(app: Hono<AppEnv>): void {
  app.get("/coaching", async (c) => {
    const t = tr(c);
    const db = c.get("services").db;
    const settings = await getSettings(db);
    const offers = await listCoachingOffers(db, { activeOnly: true });
    return page(
      c,
      { title: t("coaching.public.title"), head: coachingHead() },
      <div class="narrow coaching-page">
        <p class="eyebrow">{c.get("site").name}</p>
        <h1>{t("coaching.public.title")}</h1>
        {settings.for_whom && (
          <section>
            <h2>{t("coaching.public.for")}</h2>
            <p class="prose">{settings.for_whom}</p>
          </section>
        )}
        {settings.not_for_whom && (
          <section>
            <h2>{t("coaching.public.not_for")}</h2>
            <p class="prose">{settings.not_for_whom}</p>
          </section>
        )}
        {offers.length === 0 && <p class="muted">{t("coaching.public.empty")}</p>}
        <div class="offer-list">
          {offers.map((o) => (
            <article class="card offer-card">
              <h2>{o.title}</h2>
              <p class="muted">{durationLabel(c, o)}</p>
              {o.description && <p>{o.description}</p>}
              <p class="offer-cta">
                <a class="btn" href={`/coaching/${o.slug}`}>
                  {t("coaching.public.choose")}
                </a>
              </p>
            </article>
          ))}
        </div>
      </div>,
    );
  });

  // A visitor's page holds nothing personal (no booking form, no token): the platform's page cache may keep
  // it briefly (it stores only plain paths: /coaching/<slug>/at/<zone>, never an address with a query string).
  const cacheableForVisitors = (c: AppContext) => {
    if (!c.get("memberSession") && !c.get("staffSession")) markCacheable(c);
  };
  app.get("/coaching/:slug", (c) => {
    cacheableForVisitors(c);
    return offerPage(c);
  });
  app.get("/coaching/:slug/at/:zone{.+}", (c) => {
    cacheableForVisitors(c);
    return offerPage(c);
  });

  app.post("/coaching/:slug/book", async (c) => {
    const db = c.get("services").db;
    const member = await currentMember(c);
    if (!member) throw new AppError("unauthenticated", 401);
    const offer = await activeCoachingOfferBySlug(db, c.req.param("slug") ?? "");
    if (!offer) throw notFound();
    const form = await readForm(c);
    const timeZone = formValue(form, "timeZone");
    const booked = await runOperation(c.get("services"), bookSession, memberActor(member.id), {
      coachingOfferId: offer.id,
      startsAt: formValue(form, "startsAt"),
      timeZone,
    });
    // The zone they chose is remembered on their profile.
    if (timeZone !== member.timeZone) await updateMember(db, member.id, { timeZone }, "member");
    if (booked.status === "pending_payment" && offer.offer_id) {
      const sold = await getOffer(db, offer.offer_id);
      if (sold) return c.redirect(`/offers/${sold.slug}`, 303);
    }
    return c.redirect(`/account/coaching?booked=${booked.id}`, 303);
  });
}
