import type { TestApp } from "../../../test/support/app.ts";
import { runOperation } from "../../platform/operations.ts";
import { memberActor, systemActor } from "../../platform/actor.ts";
import { newId } from "../../platform/ids.ts";
import { createMember } from "../members/index.ts";
import { createOffer } from "../offers/index.ts";
import { bookSession } from "./booking.ts";
import { createCoachingOffer, type CoachingOffer } from "./offers.ts";
import { saveSettings } from "./settings.ts";
import type { CoachingSettings } from "./settings.ts";

/** Test helpers for the coaching module (and other modules' tests). */

/** Weekday mornings 09:00–12:00 in Paris, no notice, 90-day window, no daily maximum, 24 h cancellation. */
export async function setupAvailability(app: TestApp, patch: Partial<CoachingSettings> = {}): Promise<void> {
  const at = app.running.services.clock.nowIso();
  await saveSettings(
    app.db,
    {
      time_zone: "Europe/Paris",
      buffer_before_min: 0,
      buffer_after_min: 0,
      min_notice_min: 0,
      window_days: 90,
      max_per_day: 0,
      cancel_hours: 24,
      ...patch,
    },
    at,
  );
  await app.db.deleteFrom("coaching_weekly_hours").execute();
  await app.db
    .insertInto("coaching_weekly_hours")
    .values([1, 2, 3, 4, 5].map((weekday) => ({ id: newId(), weekday, start_min: 540, end_min: 720 })))
    .execute();
}

let n = 0;
export async function makeCoachingOffer(
  app: TestApp,
  o: {
    kind?: "single" | "package";
    sessions?: number;
    durationMin?: number;
    paid?: boolean;
    validityDays?: number;
  } = {},
): Promise<CoachingOffer> {
  n++;
  const stamp = `${n}-${Date.now().toString(36)}`;
  let offerId: string | null = null;
  if (o.paid !== false) {
    const offer = await createOffer(
      app.db,
      { slug: `coaching-offer-${stamp}`, kind: "product", name: `Coaching ${stamp}`, status: "published" },
      [{ kind: "one_off", amount: 9000, currency: "EUR" }],
    );
    offerId = offer.id;
  }
  return runOperation(app.running.services, createCoachingOffer, systemActor("test"), {
    title: o.kind === "package" ? "Parcours" : "Séance",
    slug: `coaching-${stamp}`,
    kind: o.kind ?? "single",
    durationMin: o.durationMin ?? 60,
    sessions: o.sessions ?? 1,
    validityDays: o.validityDays ?? 0,
    offerId,
  });
}

export async function makeMember(app: TestApp, locale: "fr" | "en" = "fr"): Promise<{ id: string; email: string }> {
  n++;
  const email = `client${n}-${Date.now().toString(36)}@example.org`;
  const m = await createMember(
    app.db,
    { email, name: `Client ${n}`, locale, status: "active", emailOptIn: false, source: "test" },
    "system",
  );
  return { id: m.id, email };
}

export function book(
  app: TestApp,
  memberId: string,
  coachingOfferId: string,
  startsAt: string,
  timeZone = "America/New_York",
) {
  return runOperation(app.running.services, bookSession, memberActor(memberId), {
    coachingOfferId,
    startsAt,
    timeZone,
  });
}
