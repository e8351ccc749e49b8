import { z } from "zod";
import type { Db } from "../../platform/db/index.ts";
import { anyStaff, defineOperation } from "../../platform/operations.ts";
import { field } from "../../platform/http/validation.ts";
import { AppError, notFound } from "../../platform/http/errors.ts";
import { newId } from "../../platform/ids.ts";
import type { CoachingOffersTable } from "./tables.ts";

export type CoachingOffer = CoachingOffersTable;

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: "validation.invalid" })
    .int("validation.invalid")
    .min(min, "validation.invalid")
    .max(max, "validation.invalid");

export const coachingOfferInput = z
  .object({
    title: field.text(120),
    slug: field.text(60).pipe(z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "validation.invalid")),
    description: field.longText(4000, { optional: true }).default(""),
    kind: z.enum(["single", "package"], { error: "validation.invalid" }),
    durationMin: int(15, 240).refine((n) => n % 15 === 0, "validation.invalid"),
    sessions: int(1, 50).default(1),
    validityDays: int(0, 1095).default(0),
    offerId: z.string().max(60).nullable().default(null),
  })
  .transform((v) => ({ ...v, sessions: v.kind === "single" ? 1 : v.sessions }));

const reservedSlugs = new Set(["feed", "manage"]);

export const createCoachingOffer = defineOperation({
  name: "coaching.create_offer",
  input: coachingOfferInput,
  roles: anyStaff,
  async run({ trx, input, clock }) {
    const at = clock.nowIso();
    // "feed" and "manage" are the calendar feed's and the emails' link pages, under the same /coaching/ prefix.
    if (
      reservedSlugs.has(input.slug) ||
      (await trx.selectFrom("coaching_offers").select("id").where("slug", "=", input.slug).executeTakeFirst())
    )
      throw new AppError("invalid_input", 422, "coaching.error.slug_taken", {
        slug: { key: "coaching.error.slug_taken" },
      });
    const row: CoachingOffer = {
      id: newId(),
      slug: input.slug,
      title: input.title,
      description: input.description,
      kind: input.kind,
      duration_min: input.durationMin,
      sessions: input.sessions,
      validity_days: input.validityDays,
      offer_id: input.offerId,
      questions: "[]",
      fit_threshold: 0,
      accept_days: 7,
      active: 1,
      created_at: at,
      updated_at: at,
    };
    await trx.insertInto("coaching_offers").values(row).execute();
    return row;
  },
});

export async function getCoachingOffer(db: Db, id: string): Promise<CoachingOffer> {
  const row = await db.selectFrom("coaching_offers").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

export async function listCoachingOffers(db: Db, opts: { activeOnly?: boolean } = {}): Promise<CoachingOffer[]> {
  let q = db.selectFrom("coaching_offers").selectAll().orderBy("created_at");
  if (opts.activeOnly) q = q.where("active", "=", 1);
  return q.execute();
}

/** An active coaching offer by its address (one row, on the unique slug: the public pages read only it). */
export async function activeCoachingOfferBySlug(db: Db, slug: string): Promise<CoachingOffer | undefined> {
  return db
    .selectFrom("coaching_offers")
    .selectAll()
    .where("slug", "=", slug)
    .where("active", "=", 1)
    .executeTakeFirst();
}

/** Coaching offers sold by an offer of the offers module (its own link, or its includes). */
export async function coachingOffersSoldBy(db: Db, offerId: string, included: string[]): Promise<CoachingOffer[]> {
  return db
    .selectFrom("coaching_offers")
    .selectAll()
    .where((eb) => eb.or([eb("offer_id", "=", offerId), ...(included.length ? [eb("id", "in", included)] : [])]))
    .execute();
}
