import { sql, type RawBuilder } from "kysely";
import { z } from "zod";
import { toNumber, type Db } from "../../../platform/db/index.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { allMemberTags, memberSql } from "../../members/index.ts";
import { holdsOfferSql } from "../../access/index.ts";
import { offerTerms, tierOfferIdsAmong } from "../../offers/index.ts";

/**
 * Who a send goes to. Every segment starts from the members who accepted
 * email (active, email_opt_in = 1, address not suppressed). "Paying" means
 * holding a live entitlement to a tier offer — the same notion the access
 * policy calls `paid`. "Tags" means carrying at least one of the chosen
 * member tags (set by the owner on member pages).
 */
export type Segment =
  | { kind: "all" }
  | { kind: "free" }
  | { kind: "paid" }
  | { kind: "tiers"; offers: string[] }
  | { kind: "tags"; tags: string[] };

export const segmentSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all") }),
  z.object({ kind: z.literal("free") }),
  z.object({ kind: z.literal("paid") }),
  z.object({ kind: z.literal("tiers"), offers: z.array(z.string().min(1).max(64)).min(1).max(100) }),
  z.object({ kind: z.literal("tags"), tags: z.array(z.string().min(1).max(64)).min(1).max(100) }),
]);

export function parseSegmentJson(json: string): Segment {
  return segmentSchema.parse(JSON.parse(json));
}

/** Reads the segment from form fields (segment=all|free|paid|tiers, tier=<offer id>...); 422 when it makes no sense. */
export async function segmentFromForm(db: Db, kind: string, tiers: string[], tags: string[] = []): Promise<Segment> {
  if (kind === "all" || kind === "free" || kind === "paid") return { kind };
  if (kind === "tags") {
    const wanted = [...new Set(tags)];
    if (wanted.length === 0)
      throw new AppError("invalid_input", 422, "newsletter.error.noTag", { tag: { key: "newsletter.error.noTag" } });
    if (wanted.length > 100)
      throw new AppError("invalid_input", 422, "newsletter.error.tooMany", {
        tag: { key: "newsletter.error.tooMany", params: { max: 100 } },
      });
    const known = new Set((await allMemberTags(db)).map((t) => t.tag));
    if (wanted.some((t) => !known.has(t)))
      throw new AppError("invalid_input", 422, "newsletter.error.badTag", { tag: { key: "newsletter.error.badTag" } });
    return { kind: "tags", tags: wanted };
  }
  if (kind === "tiers") {
    const wanted = [...new Set(tiers)];
    if (wanted.length === 0)
      throw new AppError("invalid_input", 422, "newsletter.error.noTier", { tier: { key: "newsletter.error.noTier" } });
    if (wanted.length > 100)
      throw new AppError("invalid_input", 422, "newsletter.error.tooMany", {
        tier: { key: "newsletter.error.tooMany", params: { max: 100 } },
      });
    const found = await tierOfferIdsAmong(db, wanted);
    if (found.length !== wanted.length)
      throw new AppError("invalid_input", 422, "newsletter.error.badTier", {
        tier: { key: "newsletter.error.badTier" },
      });
    return { kind: "tiers", offers: wanted };
  }
  throw new AppError("invalid_input", 422, "newsletter.error.badSegment", {
    segment: { key: "newsletter.error.badSegment" },
  });
}

/**
 * WHERE clause over `members m` for a segment (parameterised). The pieces
 * come from their owners: who accepts email and carries tags (members),
 * who holds which offer (access), which offers are tiers (offers).
 */
export function segmentWhere(db: Db, segment: Segment, at: string): RawBuilder<unknown> {
  const base = sql`${memberSql.acceptsEmail("m")} AND NOT EXISTS (SELECT 1 FROM newsletter_suppressions s WHERE s.email = m.email)`;
  const paying = () => holdsOfferSql("m.id", offerTerms.tierIds(db), at);
  switch (segment.kind) {
    case "all":
      return base;
    case "free":
      return sql`${base} AND NOT ${paying()}`;
    case "paid":
      return sql`${base} AND ${paying()}`;
    case "tiers":
      return sql`${base} AND ${holdsOfferSql("m.id", segment.offers, at)}`;
    case "tags":
      return sql`${base} AND ${memberSql.hasAnyTag("m.id", segment.tags)}`;
  }
}

/** How many members the segment holds at `at` (the services clock's now: tiers are held at an instant). */
export async function countSegment(db: Db, segment: Segment, at: string): Promise<number> {
  const r = await sql<{
    n: number | string;
  }>`SELECT COUNT(*) AS n FROM ${memberSql.from("m")} WHERE ${segmentWhere(db, segment, at)}`.execute(db);
  return toNumber(r.rows[0]?.n);
}

export { tierOffers } from "../../offers/index.ts";
