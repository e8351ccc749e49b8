import type { Hono } from "hono";
import { DateTime } from "luxon";
import { raw } from "hono/html";
import type { AppContext, AppEnv } from "../../platform/http/context.ts";
import { tr } from "../../platform/http/context.ts";
import { AppError, notFound } from "../../platform/http/errors.ts";
import { readForm, formValue } from "../../platform/http/forms.ts";
import { isTimeZone, timeZones } from "../../platform/http/validation.ts";
import { page } from "../../platform/views/layout.tsx";
import { CsrfField, type Errors } from "../../platform/views/components.tsx";
import { runOperation } from "../../platform/operations.ts";
import { memberActor } from "../../platform/actor.ts";
import { currentMember, updateMember, type Member } from "../members/index.ts";
import { getOffer } from "../offers/index.ts";
import { computeSlots, slotsByLocalDay } from "./availability.ts";
import { busyBetween, getSettings, loadRules } from "./settings.ts";
import { bookSession } from "./booking.ts";
import { listCoachingOffers, type CoachingOffer } from "./offers.ts";
import { coachingHead } from "./assets.tsx";
import { mayBuy, questionsOf } from "./applications.ts";
import { ApplicationBlock } from "./application-views.tsx";

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

// The ~420 zone options, escaped once; each page only marks its own zone as selected.
let zoneOptions: string | null = null;
const escAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
function zoneOptionsHtml(zone: string): string {
  zoneOptions ??= timeZones()
    .map((z) => `<option value="${escAttr(z)}">${escAttr(z.replace(/_/g, " "))}</option>`)
    .join("");
  return zoneOptions.replace(`<option value="${escAttr(zone)}">`, `<option value="${escAttr(zone)}" selected>`);
}

export function ZonePicker({ c, zone, action }: { c: AppContext; zone: string; action: string }) {
  const t = tr(c);
  return (
    <form method="get" action={action} class="inline-form coaching-zone" data-coaching-zone>
      <label for="tz">{t("coaching.picker.zone")}</label>
      <select id="tz" name="tz">
        {raw(zoneOptionsHtml(zone))}
      </select>
      <button class="btn secondary" type="submit">
        {t("coaching.picker.change")}
      </button>
    </form>
  );
}

const shared = new Map<string, { at: number; slots: Promise<string[]> }>();
function sharedSlots(key: string, compute: () => Promise<string[]>): Promise<string[]> {
  const hit = shared.get(key);
  if (hit && Date.now() - hit.at < 1000) return hit.slots;
  if (shared.size > 200) shared.clear();
  const slots = compute();
  shared.set(key, { at: Date.now(), slots });
  slots.catch(() => shared.delete(key));
  return slots;
}

export async function SlotList(props: {
  c: AppContext;
  offer: CoachingOffer;
  zone: string;
  days: number;
  action: string;
  member: Member | null;
  exceptBookingId?: string;
}) {
  const { c, offer, zone } = props;
  const t = tr(c);
  const db = c.var.services.db;
  const now = c.var.services.clock.nowMs();
  const compute = async () => {
    const rules = await loadRules(db);
    const to = now + Math.min(props.days, rules.windowDays) * 86_400_000;
    const { busy } = await busyBetween(
      db,
      rules,
      new Date(now).toISOString(),
      new Date(to + 86_400_000).toISOString(),
      {
        exceptBookingId: props.exceptBookingId,
      },
    );
    return computeSlots(rules, { durationMin: offer.duration_min, now, to, busy });
  };
  // Anonymous visitors (the many, in every zone) share the UTC slots for one second; a member always gets them fresh,
  // and the claim decides anyway when someone books.
  const slots = props.member
    ? await compute()
    : await sharedSlots(`${offer.id}:${props.days}:${Math.floor(now / 60_000)}`, compute);
  const days = slotsByLocalDay(slots, zone);
  const locale = c.var.locale;
  if (!days.length) return <p class="muted">{t("coaching.picker.none")}</p>;
  return (
    <div class="coaching-days">
      {days.map((d) => (
        <section class="coaching-day" aria-label={d.date}>
          <h3>{DateTime.fromISO(d.date).setLocale(locale).toFormat("cccc d LLLL")}</h3>
          <div class="coaching-times">
            {d.times.map((s) =>
              props.member ? (
                <form method="post" action={props.action}>
                  <CsrfField c={c} />
                  <input type="hidden" name="startsAt" value={s.iso} />
                  <input type="hidden" name="timeZone" value={zone} />
                  <button type="submit" class="coaching-time" data-slot={s.iso}>
                    {s.label}
                  </button>
                </form>
              ) : (
                <span class="coaching-time off">{s.label}</span>
              ),
            )}
          </div>
        </section>
      ))}
    </div>
  );
}

export async function offerPage(c: AppContext, errors?: Errors, values?: Record<string, string | string[]>) {
  const t = tr(c);
  const db = c.var.services.db;
  const offer = (await listCoachingOffers(db, { activeOnly: true })).find((o) => o.slug === c.req.param("slug"));
  if (!offer) throw notFound();
  const member = await currentMember(c);
  const zone = zoneOf(c, member);
  // A month ahead by default (the booking window may be shorter).
  const daysQ = Number(c.req.query("days") ?? 31);
  const days = Number.isInteger(daysQ) && daysQ >= 1 && daysQ <= 62 ? daysQ : 31;
  const path = `/coaching/${offer.slug}`;
  const needsApplication =
    questionsOf(offer).length > 0 && !(member && (await mayBuy(db, member.id, offer, c.var.services.clock.nowIso())));
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
          <ZonePicker c={c} zone={zone ?? "UTC"} action={path} />
          {!zone && (
            <p class="muted small" data-coaching-detect>
              {t("coaching.picker.detecting")}
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
          <SlotList c={c} offer={offer} zone={zone ?? "UTC"} days={days} action={`${path}/book`} member={member} />
        </>
      )}
    </div>,
    errors ? 422 : 200,
  );
}

export function publicRoutes(app: Hono<AppEnv>): void {
  app.get("/coaching", async (c) => {
    const t = tr(c);
    const db = c.var.services.db;
    const settings = await getSettings(db);
    const offers = await listCoachingOffers(db, { activeOnly: true });
    return page(
      c,
      { title: t("coaching.public.title"), head: coachingHead() },
      <div class="narrow coaching-page">
        <p class="eyebrow">{c.var.site.name}</p>
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

  app.get("/coaching/:slug", (c) => offerPage(c));
  app.get("/coaching/:slug/at/:zone{.+}", (c) => offerPage(c));

  app.post("/coaching/:slug/book", async (c) => {
    const db = c.var.services.db;
    const member = await currentMember(c);
    if (!member) throw new AppError("unauthenticated", 401);
    const offer = (await listCoachingOffers(db, { activeOnly: true })).find((o) => o.slug === c.req.param("slug"));
    if (!offer) throw notFound();
    const form = await readForm(c);
    const timeZone = formValue(form, "timeZone");
    const booked = await runOperation(c.var.services, bookSession, memberActor(member.id), {
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
